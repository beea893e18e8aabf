#!/usr/bin/env python3
"""Draws IAM Atlas's application icon: a shield holding a small graph on a blue-to-teal tile.

Writes `assets/icons/iam-atlas.svg` and `assets/icons/hicolor/NxN/apps/iam-atlas.png` for the hicolor sizes.
Python 3, standard library only. Each PNG is rendered at its own size from signed distance functions (the
coverage of a pixel is its distance to the shape's edge), so small sizes stay sharp instead of being shrunk from
a large picture. Run from anywhere: `python3 scripts/make-icons.py`.
"""

import math
import os
import struct
import zlib

SIZES = [16, 22, 24, 32, 48, 64, 128, 256, 512]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "icons")

# Geometry on a 1×1 canvas, y downwards.
TILE = (0.06, 0.06, 0.94, 0.94)  # x0, y0, x1, y1
TILE_RADIUS = 0.18
TOP_COLOUR = (0x25, 0x4E, 0xC4)  # blue
BOTTOM_COLOUR = (0x0E, 0x8A, 0x7E)  # teal
SHIELD_COLOUR = (0xFF, 0xFF, 0xFF)
# The shield: a flat top with rounded shoulders, straight sides, then two curves meeting in a point.
SHIELD_TOP, SHIELD_LEFT, SHIELD_RIGHT, SHIELD_WAIST, SHIELD_TIP = 0.20, 0.25, 0.75, 0.50, 0.84
# The graph inside the shield (cut out of it, showing the tile): three nodes and their edges.
NODES = [(0.50, 0.36), (0.375, 0.58), (0.625, 0.58)]
EDGES = [(0, 1), (0, 2), (1, 2)]
NODE_RADIUS = 0.062
EDGE_WIDTH = 0.036


def quad(p0, p1, p2, n):
    """Points of a quadratic Bézier curve, `p0` excluded."""
    out = []
    for i in range(1, n + 1):
        t = i / n
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        out.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return out


def shield_outline():
    """The shield's curves as (start, control, end) triples, clockwise from the top left."""
    l, r, t, w, tip = SHIELD_LEFT, SHIELD_RIGHT, SHIELD_TOP, SHIELD_WAIST, SHIELD_TIP
    c = 0.05  # shoulder rounding
    mid = (l + r) / 2
    return [
        ((l + c, t), (mid, t - 0.035), (r - c, t)),  # the top, slightly raised
        ((r - c, t), (r, t), (r, t + c)),  # right shoulder
        ((r, t + c), (r, (t + w) / 2), (r, w)),  # right side
        ((r, w), (r - 0.02, tip - 0.12), (mid, tip)),  # right curve to the tip
        ((mid, tip), (l + 0.02, tip - 0.12), (l, w)),  # left curve
        ((l, w), (l, (t + w) / 2), (l, t + c)),  # left side
        ((l, t + c), (l, t), (l + c, t)),  # left shoulder
    ]


def shield_polygon():
    pts = []
    for p0, p1, p2 in shield_outline():
        pts.extend(quad(p0, p1, p2, 24))
    return pts


def sd_round_rect(x, y, box, r):
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    hx, hy = (box[2] - box[0]) / 2 - r, (box[3] - box[1]) / 2 - r
    qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - r


def sd_polygon(x, y, pts):
    """Signed distance to a closed polygon (negative inside), after Inigo Quilez's sdPolygon."""
    d = (x - pts[0][0]) ** 2 + (y - pts[0][1]) ** 2
    s = 1.0
    j = len(pts) - 1
    for i in range(len(pts)):
        ax, ay = pts[i]
        bx, by = pts[j]
        ex, ey = bx - ax, by - ay
        wx, wy = x - ax, y - ay
        h = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
        dx, dy = wx - ex * h, wy - ey * h
        d = min(d, dx * dx + dy * dy)
        c1, c2, c3 = y >= ay, y < by, ex * wy > ey * wx
        if (c1 and c2 and c3) or (not c1 and not c2 and not c3):
            s = -s
        j = i
    return s * math.sqrt(d)


def sd_segment(x, y, a, b):
    ex, ey = b[0] - a[0], b[1] - a[1]
    wx, wy = x - a[0], y - a[1]
    h = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
    return math.hypot(wx - ex * h, wy - ey * h)


def coverage(d, px):
    """How much of a pixel of width `px` a shape covers, from the signed distance of its centre."""
    return max(0.0, min(1.0, 0.5 - d / px))


def render(size):
    px = 1.0 / size
    # Below 32 pixels the edges would fill the shield: small icons show the three nodes alone, each at least
    # two and a half pixels across.
    # At 16 pixels even the nodes blur into the shield, which is shown alone.
    small = size < 32
    edge_half = -1.0 if small else max(EDGE_WIDTH, 1.2 * px) / 2
    node_r = -1.0 if size <= 16 else max(NODE_RADIUS, 1.25 * px)
    # The tile's edges fall on whole pixels, so that its sides are sharp at every size.
    m = round(TILE[0] * size) / size
    tile = (m, m, 1.0 - m, 1.0 - m)
    shield = shield_polygon()
    rows = []
    for j in range(size):
        y = (j + 0.5) * px
        row = bytearray([0])  # PNG filter: none
        t = (y - tile[1]) / (tile[3] - tile[1])
        t = max(0.0, min(1.0, t))
        bg = [TOP_COLOUR[k] + (BOTTOM_COLOUR[k] - TOP_COLOUR[k]) * t for k in range(3)]
        for i in range(size):
            x = (i + 0.5) * px
            a_tile = coverage(sd_round_rect(x, y, tile, TILE_RADIUS), px)
            if a_tile == 0.0:
                row += b"\0\0\0\0"
                continue
            a_shield = coverage(sd_polygon(x, y, shield), px)
            if a_shield > 0.0:
                d_graph = min(
                    min(math.hypot(x - nx, y - ny) - node_r for nx, ny in NODES),
                    min(sd_segment(x, y, NODES[a], NODES[b]) - edge_half for a, b in EDGES),
                )
                a_shield *= 1.0 - coverage(d_graph, px)
            rgb = [bg[k] + (SHIELD_COLOUR[k] - bg[k]) * a_shield for k in range(3)]
            row += bytes([round(c) for c in rgb] + [round(255 * a_tile)])
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def svg():
    s = 512
    f = lambda v: f"{v * s:.1f}".rstrip("0").rstrip(".")  # noqa: E731
    outline = shield_outline()
    d = f"M{f(outline[0][0][0])},{f(outline[0][0][1])}"
    for _, c, e in outline:
        d += f" Q{f(c[0])},{f(c[1])} {f(e[0])},{f(e[1])}"
    d += " Z"
    x0, y0, x1, y1 = TILE
    hexc = lambda c: "#%02x%02x%02x" % c  # noqa: E731
    edges = "".join(
        f'<line x1="{f(NODES[a][0])}" y1="{f(NODES[a][1])}" x2="{f(NODES[b][0])}" y2="{f(NODES[b][1])}"/>'
        for a, b in EDGES
    )
    nodes = "".join(f'<circle cx="{f(x)}" cy="{f(y)}" r="{f(NODE_RADIUS)}"/>' for x, y in NODES)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 {s} {s}">
<!-- IAM Atlas. Written by scripts/make-icons.py; edit the script, not this file. -->
<defs>
<linearGradient id="tile" x1="0" y1="{f(y0)}" x2="0" y2="{f(y1)}" gradientUnits="userSpaceOnUse">
<stop offset="0" stop-color="{hexc(TOP_COLOUR)}"/><stop offset="1" stop-color="{hexc(BOTTOM_COLOUR)}"/>
</linearGradient>
<mask id="graph"><rect width="{s}" height="{s}" fill="#fff"/>
<g stroke="#000" stroke-width="{f(EDGE_WIDTH)}" stroke-linecap="round">{edges}</g><g fill="#000">{nodes}</g></mask>
</defs>
<rect x="{f(x0)}" y="{f(y0)}" width="{f(x1 - x0)}" height="{f(y1 - y0)}" rx="{f(TILE_RADIUS)}" fill="url(#tile)"/>
<path d="{d}" fill="{hexc(SHIELD_COLOUR)}" mask="url(#graph)"/>
</svg>
"""


def main():
    os.makedirs(ROOT, exist_ok=True)
    with open(os.path.join(ROOT, "iam-atlas.svg"), "w", encoding="utf-8") as out:
        out.write(svg())
    for size in SIZES:
        d = os.path.join(ROOT, "hicolor", f"{size}x{size}", "apps")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "iam-atlas.png")
        tmp = path + ".tmp"
        with open(tmp, "wb") as out:
            out.write(render(size))
        os.replace(tmp, path)
        print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
