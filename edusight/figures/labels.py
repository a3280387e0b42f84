"""Map label placement: each label beside its marker, clear of the other labels and markers.

deck.gl draws a ``TextLayer`` label at a fixed pixel offset from its point; with one offset for
all, the labels of nearby sites (the central districts are a few kilometres apart) print over
each other and over the markers. ``place_labels`` works in the map's own pixels (the Web
Mercator projection deck.gl uses, at the deck's initial view) and gives each label the first
of a set of positions around its marker that touches no label already placed, no marker and
not the frame's edge; labels are placed in the caller's order, so the most important win.
When no position is clear, the one overlapping least is kept: a label is never dropped.

Pure: no Streamlit, no I/O; the pixel size of text is estimated (CJK glyphs one em wide,
others ~0.6 em), which is what the margins are for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GAP_PX = 4  # between a marker's edge and its label
TILE_PX = 512  # deck.gl's Web Mercator world size at zoom 0
PAD_PX = 3  # the text outline and a little air on each side
FRAME_PX = 12  # how far labels may reach beyond the area they are kept in
RING = 12  # positions tried at each distance from the marker (``_candidates``)
RING_COST_PX = 6  # a step further out costs as much as reaching 6 px into a marker


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other: Box) -> float:
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0.0

    def into_disc(self, x: float, y: float, r: float) -> float:
        """How far (px) the disc of radius ``r`` at (x, y) reaches into the box; 0 if apart."""
        dx = max(self.x0 - x, 0, x - self.x1)
        dy = max(self.y0 - y, 0, y - self.y1)
        return max(r - math.hypot(dx, dy), 0.0)

    def outside(self, frame: Box) -> float:
        """Area of the box outside ``frame``."""
        return (self.x1 - self.x0) * (self.y1 - self.y0) - self.overlap(frame)


def _into_discs(box: Box, x: np.ndarray, y: np.ndarray, r: np.ndarray) -> float:
    """``Box.into_disc`` summed over many discs at once."""
    if not len(x):
        return 0.0
    gx = np.maximum(np.maximum(box.x0 - x, x - box.x1), 0)
    gy = np.maximum(np.maximum(box.y0 - y, y - box.y1), 0)
    return float(np.maximum(r - np.hypot(gx, gy), 0).sum())


def text_size(text: str, font_px: float) -> tuple[float, float]:
    """Estimated width and height in pixels of one line of ``text``."""
    ems = sum(1.0 if ord(c) > 0x2E7F else 0.6 for c in text)
    return ems * font_px + 2 * PAD_PX, font_px * 1.2 + 2 * PAD_PX


def project(
    lon: float, lat: float, view: tuple[float, float, float], size: tuple[int, int]
) -> tuple[float, float]:
    """Pixel position of (lon, lat) in a ``size`` map centred on ``view`` (lon, lat, zoom)."""
    c_lon, c_lat, zoom = view
    scale = TILE_PX * 2**zoom

    def merc(lo: float, la: float) -> tuple[float, float]:
        y = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
        return scale * (lo + 180) / 360, scale * (1 - y / math.pi) / 2

    x, y = merc(lon, lat)
    cx, cy = merc(c_lon, c_lat)
    return x - cx + size[0] / 2, y - cy + size[1] / 2


def unproject(
    x: float, y: float, view: tuple[float, float, float], size: tuple[int, int]
) -> tuple[float, float]:
    """The (lon, lat) at pixel (x, y) of a ``size`` map centred on ``view``: ``project``'s
    inverse."""
    c_lon, c_lat, zoom = view
    scale = TILE_PX * 2**zoom
    cy = scale * (1 - math.log(math.tan(math.pi / 4 + math.radians(c_lat) / 2)) / math.pi) / 2
    wx = x - size[0] / 2 + scale * (c_lon + 180) / 360
    wy = y - size[1] / 2 + cy
    lon = wx / scale * 360 - 180
    lat = math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * wy / scale))) - math.pi / 2)
    return lon, lat


def leader(
    box: Box, x: float, y: float, r: float
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The line from a marker's edge (centre x, y, radius r) to the nearest point of its
    label's box, when the label stands apart from the marker (further than the gap); None
    when it sits right beside it."""
    ex, ey = min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1)
    d = math.hypot(ex - x, ey - y)
    if d <= r + GAP_PX + 1:
        return None
    return (x + (ex - x) * r / d, y + (ey - y) * r / d), (ex, ey)


def _candidates(r: float, w: float, h: float) -> list[tuple[float, float]]:
    """Offsets of a label's centre from its marker's centre, in order of preference: above,
    below, right, left, the four diagonals, above and below shifted to either side; then the
    same a step further out, three times."""
    d = r + GAP_PX
    k = d / math.sqrt(2)
    side = w / 2 - r  # above or below, flush with the marker's left or right edge
    near = [
        (0, -(d + h / 2)), (0, d + h / 2), (d + w / 2, 0), (-(d + w / 2), 0),
        (k + w / 2, -(k + h / 2)), (-(k + w / 2), -(k + h / 2)),
        (k + w / 2, k + h / 2), (-(k + w / 2), k + h / 2),
        (side, -(d + h / 2)), (-side, -(d + h / 2)), (side, d + h / 2), (-side, d + h / 2),
    ]  # fmt: skip
    assert len(near) == RING
    out = []
    for step in (0, 1, 2, 3):
        for dx, dy in near:
            sx = math.copysign(step * (h + GAP_PX), dx) if dx else 0
            sy = math.copysign(step * (h + GAP_PX), dy) if dy else 0
            out.append((dx + sx, dy + sy))
    return out


def place_labels(
    labelled: Sequence[tuple[float, float, float, str]],
    markers: Sequence[tuple[float, float, float]],
    view: tuple[float, float, float],
    size: tuple[int, int],
    font_px: float,
    within: tuple[float, float, float, float] | None = None,
) -> list[list[float]]:
    """Pixel offsets ``[dx, dy]`` (centre-anchored text) for each label, in ``labelled`` order.

    ``labelled``: (lon, lat, marker radius px, text), most important first.
    ``markers``: (lon, lat, radius px) of every marker drawn, labelled ones included.
    ``view``: the deck's initial (longitude, latitude, zoom); ``size``: its (width, height) px.
    ``within``: (lon0, lat0, lon1, lat1) the labels should stay in, ``FRAME_PX`` around it, as
    well as in the frame (a map drawn narrower than ``size`` still shows this area whole).
    """
    frame = Box(0, 0, *size)
    if within is not None:
        x0, y1 = project(within[0], within[1], view, size)
        x1, y0 = project(within[2], within[3], view, size)
        m = FRAME_PX
        frame = Box(max(x0 - m, 0), max(y0 - m, 0), min(x1 + m, size[0]), min(y1 + m, size[1]))
    pts = [(*project(lo, la, view, size), r) for lo, la, r in markers]
    dx_, dy_, dr_ = (np.array([q[i] for q in pts], dtype=float) for i in range(3))
    placed: list[Box] = []
    offsets: list[list[float]] = []
    for lon, lat, r, text in labelled:
        px, py = project(lon, lat, view, size)
        w, h = text_size(text, font_px)
        best: tuple[float, Box, tuple[float, float]] | None = None
        for i, (dx, dy) in enumerate(_candidates(r, w, h)):
            box = Box(px + dx - w / 2, py + dy - h / 2, px + dx + w / 2, py + dy + h / 2)
            # over another label or off the map is worst; over a marker (the label's background
            # keeps it faintly visible) is better than far from its own marker
            cost = (
                10 * sum(box.overlap(b) for b in placed)
                + 10 * box.outside(frame)
                + h * _into_discs(box, dx_, dy_, dr_)
                + RING_COST_PX * h * (i // RING)
            )
            if best is None or cost < best[0]:
                best = (cost, box, (dx, dy))
            if cost == 0:
                break
        assert best is not None
        placed.append(best[1])
        offsets.append([round(best[2][0], 1), round(best[2][1], 1)])
    return offsets


def boxes(
    labelled: Sequence[tuple[float, float, float, str]],
    offsets: Sequence[Sequence[float]],
    view: tuple[float, float, float],
    size: tuple[int, int],
    font_px: float,
) -> list[Box]:
    """The pixel boxes the labels occupy with ``offsets`` (for checking a placement)."""
    out = []
    for (lon, lat, _r, text), (dx, dy) in zip(labelled, offsets, strict=True):
        px, py = project(lon, lat, view, size)
        w, h = text_size(text, font_px)
        out.append(Box(px + dx - w / 2, py + dy - h / 2, px + dx + w / 2, py + dy + h / 2))
    return out
