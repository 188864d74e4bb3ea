"""Paddle 1.x's decoding API, run eagerly: `fluid.layers.Decoder`, `BeamSearchDecoder` and
`dynamic_decode`.

Paddle 1.8.5 builds `dynamic_decode` on a static-graph While loop, and its BeamSearchDecoder
fails in dygraph; minigrad runs both as a Python loop (as Paddle 2.0's dygraph does), with 1.8's
signatures and semantics: `max_step_num` allows max_step_num + 1 steps, outputs are stacked over
time, and `BeamSearchDecoder.finalize` traces the beams back with `gather_tree`.

    decoder = fluid.layers.BeamSearchDecoder(cell, start_token=0, end_token=1, beam_size=4,
                                             embedding_fn=embedding, output_fn=project)
    ids, states = fluid.layers.dynamic_decode(decoder, inits=cell.get_initial_states(enc),
                                              max_step_num=20)   # ids [batch, time, beam]
"""
import collections
import numbers

import numpy as np

from minigrad.core.checks import data_of, check_tensor, shape_of
from minigrad.core.variable import Variable
from minigrad.nn.functional.rnn import _flatten, _map, _swap_batch_time, gather_tree
from minigrad.ops.activation import log_softmax
from minigrad.ops.creation import _constant, topk
from minigrad.ops.math import elementwise_add
from minigrad.ops.shape import expand, getitem, reshape, stack, unsqueeze

__all__ = ["Decoder", "BeamSearchDecoder", "dynamic_decode"]


class Decoder:
    """Base of the decoders `dynamic_decode` runs.

    A subclass implements
      - `initialize(inits) -> (initial_inputs, initial_states, finished)`, finished a bool
        Variable (one entry per sequence being decoded);
      - `step(time, inputs, states, **kwargs) -> (outputs, next_states, next_inputs, finished)`;
      - optionally `finalize(outputs, final_states, sequence_lengths) -> (outputs, states)`,
        given the outputs stacked over time (time-major).
    Inputs, states and outputs may be nested lists/tuples/dicts of Variables.
    """

    def initialize(self, inits):
        raise NotImplementedError(f"{type(self).__name__} must implement initialize(inits)")

    def step(self, time, inputs, states, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement step(time, inputs, "
                                  "states)")

    def finalize(self, outputs, final_states, sequence_lengths):
        raise NotImplementedError


class BeamSearchDecoder(Decoder):
    """Beam search over an RNNCell: keeps the `beam_size` best partial sequences per batch entry.

    cell: an RNNCell whose outputs (after `output_fn`) are logits over the vocabulary.
    start_token, end_token: ids that start every sequence and end one.
    embedding_fn: ids [batch, beam] -> cell inputs (e.g. an Embedding layer); None feeds ids.
    output_fn: cell outputs [batch, beam, hidden] -> logits [batch, beam, vocab] (e.g. a Linear).
    Scores are sums of log-softmax probabilities, without length penalty; a finished beam can
    only extend with end_token at no cost. States and inputs carry a beam dim: [batch, beam, ...].
    `dynamic_decode` returns the traced ids [batch, time, beam] (time-major: [time, batch, beam])
    and the final StateWrapper(cell_states, log_probs, finished, lengths).

        decoder = fluid.layers.BeamSearchDecoder(cell, 0, 1, beam_size=4, embedding_fn=emb,
                                                 output_fn=out)
    """

    OutputWrapper = collections.namedtuple("OutputWrapper",
                                           ("scores", "predicted_ids", "parent_ids"))
    StateWrapper = collections.namedtuple("StateWrapper",
                                          ("cell_states", "log_probs", "finished", "lengths"))
    kinf = 1e9      # Paddle's stand-in for infinity: masked scores stay finite

    def __init__(self, cell, start_token, end_token, beam_size, embedding_fn=None,
                 output_fn=None):
        for argument, value, low in (("start_token", start_token, 0),
                                     ("end_token", end_token, 0), ("beam_size", beam_size, 1)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
                raise ValueError(f"BeamSearchDecoder: {argument} must be an int >= {low}, got "
                                 f"{value!r}")
        self.cell = cell
        self.embedding_fn = embedding_fn
        self.output_fn = output_fn
        self.start_token = int(start_token)
        self.end_token = int(end_token)
        self.beam_size = int(beam_size)

    # -- reshaping between [batch * beam, ...] and [batch, beam, ...] ---------------------------
    @staticmethod
    def tile_beam_merge_with_batch(x, beam_size):
        """[batch, ...] -> [batch * beam_size, ...], each entry repeated beam_size times in a
        row (to tile an encoder's outputs for the cell)."""
        check_tensor("BeamSearchDecoder.tile_beam_merge_with_batch", "x", x)
        shape = list(shape_of(x))
        tiled = expand(unsqueeze(x, [1]), [1, int(beam_size)] + [1] * (len(shape) - 1))
        return reshape(tiled, [shape[0] * int(beam_size)] + shape[1:])

    def _split_batch_beams(self, x):
        shape = list(shape_of(x))
        return reshape(x, [-1, self.beam_size] + shape[1:])

    def _merge_batch_beams(self, x):
        shape = list(shape_of(x))
        return reshape(x, [-1] + shape[2:])

    def _expand_to_beam_size(self, x):
        shape = shape_of(x)
        return expand(unsqueeze(x, [1]), [1, self.beam_size] + [1] * (len(shape) - 1))

    def _gather(self, x, beam_indices):
        """x[b, beam_indices[b, k], ...]: the entries of the beams each new beam extends."""
        rows = np.arange(shape_of(x)[0])[:, None]
        if isinstance(x, Variable) and x.data.dtype.kind != "f":
            return _constant(x.data[rows, beam_indices])
        return getitem(x, (rows, beam_indices))

    # -- the Decoder interface ----------------------------------------------------------------
    def initialize(self, initial_cell_states):
        """Beam 0 of each batch entry starts with score 0, the others with -kinf, so the first
        step expands one beam only."""
        state = _flatten(initial_cell_states)[0]
        check_tensor("BeamSearchDecoder.initialize", "initial_cell_states", state, dtypes="f")
        batch = shape_of(state)[0]
        dtype = state.data.dtype
        cell_states = _map(self._expand_to_beam_size, initial_cell_states)
        inputs = _constant(np.full((batch, self.beam_size), self.start_token, np.int64))
        first = np.array([0.0] + [-self.kinf] * (self.beam_size - 1), dtype)
        log_probs = _constant(np.tile(first, (batch, 1)))
        finished = _constant(np.zeros((batch, self.beam_size), bool))
        lengths = _constant(np.zeros((batch, self.beam_size), np.int64))
        if self.embedding_fn is not None:
            inputs = self.embedding_fn(inputs)
        return inputs, self.StateWrapper(cell_states, log_probs, finished, lengths), finished

    def _beam_search_step(self, time, logits, next_cell_states, beam_state):
        vocab = shape_of(logits)[-1]
        if not 0 <= self.end_token < vocab:
            raise ValueError(f"BeamSearchDecoder: end_token={self.end_token} is not an id of the "
                             f"vocabulary of the logits (size {vocab})")
        dtype = data_of(logits).dtype
        step_log_probs = log_softmax(logits)
        # A finished beam may only continue with end_token, at no cost.
        finished = beam_state.finished.data[..., None].astype(dtype)
        no_end = np.full(vocab, -self.kinf, dtype)
        no_end[self.end_token] = 0
        step_log_probs = step_log_probs * (1 - finished) + finished * no_end
        log_probs = elementwise_add(step_log_probs, beam_state.log_probs, axis=0)
        scores = reshape(log_probs, [-1, self.beam_size * vocab])
        top_scores, top_indices = topk(scores, k=self.beam_size)
        flat = top_indices.data
        beam_indices, token_indices = flat // vocab, flat % vocab
        next_cell_states = _map(lambda x: self._gather(x, beam_indices), next_cell_states)
        next_finished = beam_state.finished.data[np.arange(flat.shape[0])[:, None],
                                                 beam_indices]
        next_lengths = (beam_state.lengths.data[np.arange(flat.shape[0])[:, None], beam_indices]
                        + (~next_finished).astype(np.int64))
        next_finished = next_finished | (token_indices == self.end_token)
        output = self.OutputWrapper(top_scores, _constant(token_indices),
                                    _constant(beam_indices))
        state = self.StateWrapper(next_cell_states, top_scores, _constant(next_finished),
                                  _constant(next_lengths))
        return output, state

    def step(self, time, inputs, states, **kwargs):
        """One step for every beam: run the cell on [batch * beam] rows, score, keep the best."""
        inputs = _map(self._merge_batch_beams, inputs)
        cell_states = _map(self._merge_batch_beams, states.cell_states)
        cell_outputs, next_cell_states = self.cell(inputs, cell_states, **kwargs)
        cell_outputs = _map(self._split_batch_beams, cell_outputs)
        next_cell_states = _map(self._split_batch_beams, next_cell_states)
        if self.output_fn is not None:
            cell_outputs = self.output_fn(cell_outputs)
        output, state = self._beam_search_step(time, cell_outputs, next_cell_states, states)
        next_inputs = output.predicted_ids
        if self.embedding_fn is not None:
            next_inputs = self.embedding_fn(next_inputs)
        return output, state, next_inputs, state.finished

    def finalize(self, outputs, final_states, sequence_lengths):
        """The full id sequences: each final beam traced back through its parents."""
        return gather_tree(outputs.predicted_ids, outputs.parent_ids), final_states


def _keep_finished(old, new, finished):
    """`new`, except where `finished` (a bool mask over the leading dims) keeps `old`."""
    mask = finished.reshape(finished.shape + (1,) * (len(shape_of(new)) - finished.ndim))
    if data_of(new).dtype.kind != "f":
        return _constant(np.where(mask, data_of(old), data_of(new)))
    keep = mask.astype(data_of(new).dtype)
    return new * (1 - keep) + old * keep


def dynamic_decode(decoder, inits=None, max_step_num=None, output_time_major=False,
                   impute_finished=False, is_test=False, return_length=False, **kwargs):
    """Run `decoder.step` until every sequence is finished, or max_step_num + 1 steps.

    decoder: a Decoder. inits: passed to `decoder.initialize`.
    max_step_num: None for no limit, else the last step index (so max_step_num + 1 steps).
    output_time_major: outputs [time, batch, ...] instead of [batch, time, ...].
    impute_finished: finished sequences keep their states instead of taking the step's.
    is_test: accepted (Paddle's memory option for its static graph).
    return_length: also return int64 lengths (steps before each sequence finished, counting
        the finishing step), of the shape of `finished`.
    kwargs go to `decoder.step`.
    Returns (final_outputs, final_states[, sequence_lengths]); the outputs are stacked over
    time, then passed through `decoder.finalize` if the decoder has one.

        ids, _ = fluid.layers.dynamic_decode(decoder, inits=h0, max_step_num=10)
    """
    if not isinstance(decoder, Decoder):
        raise TypeError(f"dynamic_decode: decoder must be a fluid.layers.Decoder, got "
                        f"{type(decoder).__name__}")
    if max_step_num is not None and (not isinstance(max_step_num, numbers.Integral)
                                     or isinstance(max_step_num, bool) or max_step_num < 0):
        raise ValueError(f"dynamic_decode: max_step_num must be None or an int >= 0, got "
                         f"{max_step_num!r}")
    inputs, states, finished = decoder.initialize(inits)
    finished = np.asarray(data_of(finished), bool)
    lengths = np.zeros(finished.shape, np.int64)
    outputs, step = [], 0
    while not finished.all():
        time = _constant(np.array([step], np.int64))
        step_outputs, next_states, next_inputs, next_finished = decoder.step(
            time, inputs, states, **kwargs)
        lengths = lengths + (~finished)
        if impute_finished:
            next_states = _map(lambda old, new: _keep_finished(old, new, finished), states,
                               next_states)
        finished = finished | np.asarray(data_of(next_finished), bool)
        outputs.append(step_outputs)
        inputs, states, step = next_inputs, next_states, step + 1
        if max_step_num is not None and step > max_step_num:
            break
    if not outputs:
        raise ValueError("dynamic_decode: every sequence is finished before the first step; "
                         "there is nothing to decode")
    final_outputs = _map(lambda *per_step: _stack_steps(list(per_step)), *outputs)
    lengths = _constant(lengths)
    try:
        final_outputs, states = decoder.finalize(final_outputs, states, lengths)
    except NotImplementedError:
        pass
    if not output_time_major:
        final_outputs = _map(_swap_batch_time, final_outputs)
    return (final_outputs, states, lengths) if return_length else (final_outputs, states)


def _stack_steps(values):
    if all(isinstance(v, Variable) and v.stop_gradient for v in values):
        return _constant(np.stack([v.data for v in values]))
    return stack(values, axis=0)
