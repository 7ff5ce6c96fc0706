"""A table of pictures laid out in pixels with matplotlib (Agg backend).

Rows are tasks, columns are what is shown of them (input, ground truth,
predictions, errors); narrow *key* columns hold each row's class legend or
colour bar. Pictures are upscaled by an integer factor with nearest
neighbour, so a cell is at least :data:`MIN_CELL_HEIGHT` pixels high and
every predicted pixel stays a sharp square, and each axes is placed at
exactly its picture's size in pixels (no resampling by matplotlib).
"""
import math
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.text import Text

#: Dots per inch: with it, one figure inch is this many PNG pixels.
DPI = 100
#: Cells are upscaled (nearest neighbour, integer factor) to at least this
#: height in pixels: a 32 x 40 map is unreadable at its own size.
MIN_CELL_HEIGHT = 200
#: Font sizes in points (1 pt = DPI / 72 px).
TITLE_SIZE = 14
HEADER_SIZE = 12
LABEL_SIZE = 12
CAPTION_SIZE = 10
KEY_SIZE = 9
#: Vertical pixels a line of text of a given size takes, with leading.
_LINE_PX = 1.45 * DPI / 72
#: Gaps between cells, in pixels.
_GAP = 10
_MARGIN = 12
#: Measures texts (widths only; nothing is drawn on it).
_RENDERER = RendererAgg(1, 1, DPI)


def upscale_factor(height: int, min_height: int = MIN_CELL_HEIGHT) -> int:
    """The integer factor that makes ``height`` at least ``min_height``."""
    return max(1, math.ceil(min_height / max(int(height), 1)))


def upscale(picture: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling: (H, W, ...) -> (H f, W f, ...)."""
    if factor == 1:
        return picture
    return picture.repeat(factor, axis=0).repeat(factor, axis=1)


def _text_px(text: str, size: float,
             weight: str = 'normal') -> Tuple[float, float]:
    """A text's (width, height) in pixels, measured by the Agg renderer
    before the layout exists (the layout is sized from it)."""
    lines = str(text).split('\n')
    font = FontProperties(size=size, weight=weight)
    width = max(_RENDERER.get_text_width_height_descent(
        line, font, ismath=False)[0] for line in lines)
    return width + 2, len(lines) * size * _LINE_PX


class Key:
    """What a key column shows for a row (legend, colour bar, text)."""

    def width(self, height: int) -> int:
        """Pixels wide this key needs beside a cell ``height`` px high."""
        raise NotImplementedError

    def draw(self, grid: 'Grid', x: float, y: float, w: float,
             h: float) -> None:
        """Draw into the box (x, y from the top-left, w, h), in pixels."""
        raise NotImplementedError


class LegendKey(Key):
    """Coloured squares with labels (e.g. a class legend).

    Args:
        entries (list[tuple]): ``(rgb uint8 colour, label)`` pairs.
        title (str): Legend title.
    """

    def __init__(self, entries: Sequence[Tuple[Sequence[int], str]],
                 title: str = '') -> None:
        self.entries = list(entries)
        self.title = title

    def _columns(self, height: int) -> int:
        # one entry is a line of text plus the legend's label spacing
        per_column = max(1, int((height - KEY_SIZE * _LINE_PX * 1.6) //
                                (KEY_SIZE * _LINE_PX * 1.25)))
        return max(1, math.ceil(len(self.entries) / per_column))

    def width(self, height: int) -> int:
        labels = [label for _, label in self.entries] or ['']
        column = max(_text_px(label, KEY_SIZE)[0] for label in labels) + 36
        title = _text_px(self.title, KEY_SIZE)[0] + 16
        return int(max(column * self._columns(height), title) + 8)

    def draw(self, grid, x, y, w, h):
        ax = grid.axes(x, y, w, h)
        ax.axis('off')
        handles = [Patch(facecolor=np.asarray(colour) / 255,
                         edgecolor='0.3', linewidth=0.5)
                   for colour, _ in self.entries]
        ax.legend(handles, [label for _, label in self.entries],
                  title=self.title or None, loc='center left',
                  ncol=self._columns(int(h)), fontsize=KEY_SIZE,
                  title_fontsize=KEY_SIZE, frameon=False, borderaxespad=0,
                  handlelength=1.2, handleheight=1.0, columnspacing=0.8,
                  alignment='left')


class ColourBarKey(Key):
    """A vertical colour bar with a labelled axis (the unit goes here).

    Args:
        cmap (str): Matplotlib colour map name.
        low (float): Value of the bottom colour.
        high (float): Value of the top colour.
        label (str): Axis label, e.g. ``'depth (m)'``.
        extend (str): ``'max'`` draws an arrow for values above ``high``.
        invalid (bool): Add a grey square meaning "no ground truth".
        invalid_colour (tuple): Its RGB uint8 colour.
    """

    def __init__(self, cmap: str, low: float, high: float, label: str,
                 extend: str = 'neither', invalid: bool = False,
                 invalid_colour=(128, 128, 128)) -> None:
        self.cmap, self.low, self.high = cmap, low, high
        self.label, self.extend = label, extend
        self.invalid, self.invalid_colour = invalid, invalid_colour

    def width(self, height: int) -> int:
        grey = _text_px('no ground truth', KEY_SIZE)[0] + 30 \
            if self.invalid else 0
        # bar 16 px, tick labels ~6 characters, the rotated axis label
        return int(max(16 + 8 + _text_px('-0.000', KEY_SIZE)[0] +
                       KEY_SIZE * _LINE_PX + 12, grey))

    def draw(self, grid, x, y, w, h):
        bottom = KEY_SIZE * _LINE_PX * 1.8 if self.invalid else 0
        cax = grid.axes(x + 4, y + 6, 16, h - 12 - bottom)
        mappable = ScalarMappable(Normalize(self.low, self.high), self.cmap)
        bar = grid.fig.colorbar(mappable, cax=cax, extend=self.extend)
        bar.set_label(self.label, fontsize=KEY_SIZE + 1)
        bar.ax.tick_params(labelsize=KEY_SIZE)
        if self.invalid:
            ax = grid.axes(x, y + h - bottom, w, bottom)
            ax.axis('off')
            ax.legend([Patch(facecolor=np.asarray(self.invalid_colour) / 255,
                             edgecolor='0.3', linewidth=0.5)],
                      ['no ground truth'], loc='center left',
                      fontsize=KEY_SIZE, frameon=False, borderaxespad=0,
                      handlelength=1.2)


class TextKey(Key):
    """Lines of text, each in its own colour (e.g. what RGB means).

    Args:
        lines (list[tuple]): ``(text, colour)`` pairs; any matplotlib
            colour.
    """

    def __init__(self, lines: Sequence[Tuple[str, object]]) -> None:
        self.lines = list(lines)

    def width(self, height: int) -> int:
        return int(max(_text_px(text, KEY_SIZE + 1)[0]
                       for text, _ in self.lines) + 16)

    def draw(self, grid, x, y, w, h):
        step = (KEY_SIZE + 1) * _LINE_PX
        top = y + (h - step * len(self.lines)) / 2
        for index, (text, colour) in enumerate(self.lines):
            grid.text(x + 4, top + step * (index + 0.5), text,
                      fontsize=KEY_SIZE + 1, color=colour, va='center')


@dataclass
class Cell:
    """One picture of the table, or a note where there is none.

    Args:
        picture (ndarray, optional): (H, W, 3) uint8 RGB at map size; the
            grid upscales it.
        note (str): Text shown in an empty cell (e.g. "not learnt yet").
        caption (str): Text under the cell (e.g. a metric).
    """

    picture: Optional[np.ndarray] = None
    note: str = ''
    caption: str = ''


@dataclass
class Row:
    """A row of the table: a label on the left and one item per column
    (:class:`Cell` in picture columns, :class:`Key` in key columns, or
    ``None``)."""

    label: str
    items: List[Union[Cell, Key, None]] = field(default_factory=list)
    sublabel: str = ''


class Grid:
    """Pixel coordinates (from the top-left) on a matplotlib figure."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = int(width), int(height)
        self.fig = Figure(figsize=(self.width / DPI, self.height / DPI),
                          dpi=DPI, facecolor='white')
        FigureCanvasAgg(self.fig)

    def axes(self, x: float, y: float, w: float, h: float):
        """An axes filling the box (x, y from the top-left, w, h) in px."""
        return self.fig.add_axes([
            x / self.width, 1 - (y + h) / self.height,
            max(w, 1) / self.width, max(h, 1) / self.height
        ])

    def text(self, x: float, y: float, text: str, **kwargs) -> Text:
        """Figure text anchored at pixel (x, y) from the top-left."""
        return self.fig.text(x / self.width, 1 - y / self.height, text,
                             **kwargs)


def draw_grid(headers: Sequence[Optional[str]], rows: Sequence[Row],
              title: str = '', key_columns: Sequence[int] = ()) -> Figure:
    """Lay out a table of pictures as one matplotlib figure.

    Args:
        headers (list[str | None]): One title per column, printed above the
            first row (``None`` for key columns or untitled ones).
        rows (list[Row]): The rows, each with one item per column.
        title (str): Figure title.
        key_columns (Sequence[int]): Columns holding :class:`Key` items;
            the others hold :class:`Cell` items.

    Returns:
        Figure: Its size in pixels is exactly what the layout needs (at
        :data:`DPI`); see :func:`figure_to_array`.
    """
    sizes = [item.picture.shape[:2] for row in rows for item in row.items
             if isinstance(item, Cell) and item.picture is not None]
    map_h, map_w = sizes[0] if sizes else (MIN_CELL_HEIGHT,) * 2
    factor = upscale_factor(map_h)
    cell_h, cell_w = map_h * factor, map_w * factor
    # the widest item of each column decides its width
    widths = []
    for col in range(len(headers)):
        if col in key_columns:
            keys = [row.items[col] for row in rows
                    if col < len(row.items) and
                    isinstance(row.items[col], Key)]
            widths.append(max([k.width(cell_h) for k in keys], default=0))
        else:
            widths.append(cell_w)
    label_w = max([_text_px(row.label, LABEL_SIZE, 'bold')[0]
                   for row in rows] +
                  [_text_px(row.sublabel, CAPTION_SIZE)[0] for row in rows]
                  ) + 2 * _MARGIN
    header_h = max([_text_px(h, HEADER_SIZE)[1] for h in headers if h] +
                   [0]) + 8
    title_h = _text_px(title, TITLE_SIZE)[1] + 12 if title else 0
    captions = [item.caption for row in rows for item in row.items
                if isinstance(item, Cell) and item.caption]
    caption_h = max([_text_px(c, CAPTION_SIZE)[1] for c in captions] +
                    [0]) + 6
    row_h = cell_h + caption_h + _GAP
    lefts = [label_w]
    for col_w in widths[:-1]:
        lefts.append(lefts[-1] + col_w + _GAP)
    width = lefts[-1] + widths[-1] + _MARGIN
    height = _MARGIN + title_h + header_h + row_h * len(rows) + _MARGIN
    grid = Grid(width, height)
    if title:
        grid.text(width / 2, _MARGIN + title_h / 2, title,
                  fontsize=TITLE_SIZE, ha='center', va='center',
                  fontweight='bold')
    top = _MARGIN + title_h
    for col, header in enumerate(headers):
        if header:
            grid.text(lefts[col] + widths[col] / 2, top + header_h - 4,
                      header, fontsize=HEADER_SIZE, ha='center',
                      va='bottom', multialignment='center')
    top += header_h
    for row in rows:
        middle = top + cell_h / 2
        grid.text(_MARGIN, middle, row.label, fontsize=LABEL_SIZE,
                  fontweight='bold', ha='left',
                  va='bottom' if row.sublabel else 'center')
        if row.sublabel:
            grid.text(_MARGIN, middle + 4, row.sublabel,
                      fontsize=CAPTION_SIZE, ha='left', va='top',
                      color='0.3')
        for col, item in enumerate(row.items):
            if isinstance(item, Key):
                item.draw(grid, lefts[col], top, widths[col], cell_h)
            elif isinstance(item, Cell):
                _draw_cell(grid, item, lefts[col], top, cell_w, cell_h,
                           factor)
        top += row_h
    return grid.fig


def _draw_cell(grid: Grid, cell: Cell, x: float, y: float, w: int, h: int,
               factor: int) -> None:
    ax = grid.axes(x, y, w, h)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color('0.6')
    if cell.picture is not None:
        # already at cell size: matplotlib copies pixels, no smoothing
        ax.imshow(upscale(cell.picture, factor), interpolation='nearest',
                  aspect='auto')
    else:
        ax.set_facecolor('0.96')
        ax.text(0.5, 0.5, cell.note, transform=ax.transAxes, ha='center',
                va='center', fontsize=CAPTION_SIZE, color='0.35',
                style='italic', wrap=True)
    if cell.caption:
        grid.text(x + w / 2, y + h + 4, cell.caption, fontsize=CAPTION_SIZE,
                  ha='center', va='top')


def figure_to_array(fig: Figure) -> np.ndarray:
    """The figure as rendered by Agg: (H, W, 3) uint8 RGB."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def figure_texts(fig: Figure) -> List[str]:
    """Every non-empty text of a figure (titles, labels, legend entries,
    colour bar labels, notes), in drawing order; for tests and checks."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]
