"""`fluid.io.PipeReader`: read the standard output of a command, in lines or in raw chunks.

Paddle 1.x's PipeReader (listed in the 1.8 API reference, though the 1.8.5 wheel no longer
ships it) streams, for example, `hadoop fs -cat` or `cat file.gz` into a training reader:

    reader = fluid.io.PipeReader("cat data.txt")
    for line in reader.get_line():
        ...

The command is split as a shell would split it (no shell runs). `file_type="gzip"` decompresses
the stream as it arrives.
"""
import shlex
import subprocess
import zlib

__all__ = ["PipeReader"]


class PipeReader:
    """Run `command` and read its output. file_type: "plain" or "gzip"; bufsize: bytes per read.

    Raises TypeError for a non-str command, ValueError for an unknown file_type.
    """

    def __init__(self, command, bufsize=8192, file_type="plain"):
        if not isinstance(command, str):
            raise TypeError(f"PipeReader: command must be a str, got {type(command).__name__}")
        if file_type not in ("plain", "gzip"):
            raise ValueError(f"PipeReader: file_type must be 'plain' or 'gzip', got {file_type!r}")
        if not isinstance(bufsize, int) or bufsize < 1:
            raise ValueError(f"PipeReader: bufsize must be a positive int, got {bufsize!r}")
        self.command = command
        self.bufsize = bufsize
        self.file_type = file_type
        self.process = subprocess.Popen(shlex.split(command), bufsize=bufsize,
                                        stdout=subprocess.PIPE)

    def _chunks(self):
        # 32 + MAX_WBITS: accept a gzip header, as Paddle's reader did.
        decompressor = zlib.decompressobj(32 + zlib.MAX_WBITS) if self.file_type == "gzip" \
            else None
        try:
            while True:
                data = self.process.stdout.read(self.bufsize)
                if not data:
                    break
                if decompressor is not None:
                    data = decompressor.decompress(data)
                yield data.decode()
        finally:
            self.process.stdout.close()
            if self.process.poll() is None:
                self.process.terminate()
            self.process.wait()

    def get_line(self, cut_lines=True, line_break="\n"):
        """Yield the output line by line (without `line_break`), or chunk by chunk when
        cut_lines=False. A last line without a line break is yielded too."""
        if not cut_lines:
            yield from self._chunks()
            return
        remained = ""
        for chunk in self._chunks():
            lines = (remained + chunk).split(line_break)
            remained = lines.pop()
            yield from lines
        if remained:
            yield remained
