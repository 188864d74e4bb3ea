"""The demo trains for real, writes its files, and degrades gracefully without optional packages."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

from minigrad import viz
from minigrad.demo import main
from minigrad.demo.data import make_digits

PNG = b"\x89PNG\r\n\x1a\n"


def test_make_digits_draws_reproducible_centred_digits():
    images, labels = make_digits(30, size=16, seed=3)
    again, same_labels = make_digits(30, size=16, seed=3)
    assert images.shape == (30, 1, 16, 16) and images.dtype == np.float32
    assert labels.shape == (30, 1) and labels.dtype == np.int64
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, same_labels)
    assert sorted(set(labels[:, 0])) == list(range(10))        # every digit appears
    assert images.min() >= 0 and images.max() <= 1
    ink = images.reshape(30, -1).sum(1)
    assert (ink > 10).all() and (ink < 0.6 * 256).all()       # strokes, not blank nor filled
    # Ink stays off the outermost border: digits fit in the frame (all but a rare corner case).
    many, _ = make_digits(400, size=16, seed=5)
    border = np.concatenate([many[..., 0, :], many[..., -1, :], many[..., :, 0],
                             many[..., :, -1]], axis=-1)
    assert (border.max(axis=(1, 2)) > 0.5).mean() < 0.02
    # Different digits look different: a 1 has much less ink than an 8.
    ones, eights = images[labels[:, 0] == 1], images[labels[:, 0] == 8]
    assert ones.sum(axis=(1, 2, 3)).mean() < 0.7 * eights.sum(axis=(1, 2, 3)).mean()


def test_make_digits_rejects_bad_arguments():
    with pytest.raises(ValueError, match="size >= 8"):
        make_digits(3, size=4)
    with pytest.raises(ValueError, match="digits"):
        make_digits(3, digits=[10])


def test_demo_trains_and_writes_the_loss_curve_reconstructions_and_graph(tmp_path, capsys):
    report = main(["--steps", "40", "--images", "512", "--out", str(tmp_path / "out")])
    out = tmp_path / "out"
    assert (out / "loss_curve.png").read_bytes().startswith(PNG)
    assert (out / "reconstructions.png").read_bytes().startswith(PNG)
    if shutil.which("dot") is None:
        # The dot-less path is the next test but one; here only the graph text can be checked.
        graph = (out / "graph.gv").read_text(encoding="utf-8")
        assert "conv2d_transpose" in graph and "decoder.up1" in graph
        assert len(report["skipped"]) == 1 and "apt-get install graphviz" in report["skipped"][0]
    else:
        svg = (out / "graph.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "conv2d_transpose" in svg and "decoder.up1" in svg
        assert report["skipped"] == []
    losses = report["losses"]
    assert len(losses) == 40 and all(np.isfinite(losses))
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])
    assert report["test_loss_after"] < report["test_loss_before"]
    printed = capsys.readouterr().out
    assert "DigitAutoencoder(" in printed and "Conv2DTranspose" in printed
    assert "wrote" in printed


def test_demo_without_matplotlib_or_graphviz_still_trains_and_says_what_it_skipped(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "graphviz", None)
    viz._digraph_class.cache_clear()
    try:
        report = main(["--steps", "3", "--batch-size", "4", "--images", "16",
                       "--out", str(tmp_path)])
    finally:
        viz._digraph_class.cache_clear()
    assert len(report["losses"]) == 3
    assert list(tmp_path.iterdir()) == []
    printed = capsys.readouterr().out
    assert "skipped loss_curve.png and reconstructions.png (matplotlib is not installed" in printed
    assert "skipped graph.svg (the graphviz package is not installed" in printed


def test_demo_without_dot_writes_the_dot_text_and_says_how_to_install_graphviz(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    report = main(["--steps", "2", "--batch-size", "4", "--images", "16", "--out", str(tmp_path)])
    assert "digraph" in (tmp_path / "graph.gv").read_text(encoding="utf-8")
    assert not (tmp_path / "graph.svg").exists()
    assert "apt-get install graphviz" in report["skipped"][0]
    assert "apt-get install graphviz" in capsys.readouterr().out


def test_demo_progress_falls_back_to_plain_lines_without_tqdm(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    main(["--steps", "4", "--batch-size", "4", "--images", "16", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "step 4/4  loss " in printed


def test_demo_command_line_help():
    result = subprocess.run([sys.executable, "-m", "minigrad.demo", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "--out" in result.stdout and "--steps" in result.stdout and "--quick" in result.stdout
