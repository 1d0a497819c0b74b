"""Derive the light base layer of the map, data/geo/regions-2013.geojson.

Input: ``regions-avant-redecoupage-2015.geojson`` of the france-geojson repository
(https://github.com/gregoiredavid/france-geojson, blob 6a49f3e8…, unchanged since its
commit 25271d2 of 28 October 2016): the 22 metropolitan regions as they were from 1982
to 2015, contours IGN GEOFLA 2.2 (28 June 2016), names and codes INSEE, Licence Ouverte.
It is data, not code: the book commits the derived file and this script, not the input.

    git -C <france-geojson> show 6a49f3e818870c811b0e15dc69f5569f1cd4b400 > upstream.geojson
    python tools/make_regions_2013.py upstream.geojson

What the derivation does, feature by feature (properties ``code`` and ``nom`` kept, the
rest dropped):

1. Coordinates rounded to ``--decimals`` (3: about 100 m, far below a pixel of the map).
   A vertex shared by two regions rounds the same way in both.
2. Consecutive duplicate points dropped.
3. Each ring cut into *arcs* at the junction vertices (vertices with more than two distinct
   neighbours over all the rings: where three regions, or two regions and the sea, meet),
   and each arc simplified by Douglas-Peucker with ``--tolerance`` (kilometres). An arc is
   simplified once, in a canonical direction, and reused by both regions that share it:
   shared borders stay identical, with neither gaps nor overlaps. A ring without junction
   (an island, an enclave) is cut at three vertices chosen from its points alone, so that
   it keeps at least a triangle.
4. Rings left with fewer than four points or no area dropped (with the holes of a dropped
   outer ring). Every feature must keep at least one polygon, or the script fails.
5. Outer rings made clockwise and holes counter-clockwise, as plotly.js (d3-geo) wants
   them (the GeoJSON RFC says the opposite; plotly.js would fill the rest of the globe).

The script prints the sizes of the input and of the output, and the number of points.
Pure Python, no dependency.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "data" / "geo" / "regions-2013.geojson"
KM_PER_DEGREE = 111.32
# longitude degrees are shorter than latitude degrees: scale them at mid-France
LON_SCALE = math.cos(math.radians(46.5))

Point = tuple[float, float]


def signed_area(ring: list[Point]) -> float:
    """Shoelace area in square degrees: > 0 counter-clockwise (longitude east, latitude north)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


def dedupe(ring: list[Point]) -> list[Point]:
    out = [ring[0]]
    for point in ring[1:]:
        if point != out[-1]:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def _distance_km(p: Point, a: Point, b: Point) -> float:
    """Distance from p to the segment ab, in kilometres (equirectangular, fine at this scale)."""
    px, py = p[0] * LON_SCALE, p[1]
    ax, ay = a[0] * LON_SCALE, a[1]
    bx, by = b[0] * LON_SCALE, b[1]
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay) * KM_PER_DEGREE
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy) * KM_PER_DEGREE


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance_km(points[i], points[first], points[last])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


class ArcSimplifier:
    """Simplifies each arc once, so that two regions sharing it get the same points."""

    def __init__(self, rings: list[list[Point]], tolerance: float):
        neighbours: dict[Point, set[Point]] = defaultdict(set)
        for ring in rings:
            for a, b in zip(ring, ring[1:]):
                neighbours[a].add(b)
                neighbours[b].add(a)
        self.junctions = {p for p, n in neighbours.items() if len(n) > 2}
        self.tolerance = tolerance
        self.done: dict[tuple[Point, ...], list[Point]] = {}

    def _arc(self, arc: list[Point]) -> list[Point]:
        forward = arc[0] < arc[-1] or (arc[0] == arc[-1] and arc[1] <= arc[-2])
        key = tuple(arc if forward else arc[::-1])
        if key not in self.done:
            self.done[key] = douglas_peucker(list(key), self.tolerance)
        simplified = self.done[key]
        return simplified if forward else simplified[::-1]

    def ring(self, ring: list[Point]) -> list[Point]:
        body = ring[:-1]
        cuts = [i for i, p in enumerate(body) if p in self.junctions]
        if not cuts:
            # no junction: an island or an enclave. Three cuts that depend neither on where
            # the ring starts nor on its direction (its twin, if any, gets the same ones),
            # so that even a small island keeps a triangle: its smallest vertex, the vertex
            # farthest from it, the vertex farthest from the line between those two.
            start = min(body)
            far = max(body, key=lambda p: (_distance_km(p, start, start), p))
            third = max(body, key=lambda p: (_distance_km(p, start, far), p))
            cuts = sorted({body.index(start), body.index(far), body.index(third)})
        # rotate so that the ring starts on a cut, then walk from cut to cut
        body = body[cuts[0]:] + body[:cuts[0]]
        cuts = [c - cuts[0] for c in cuts] + [len(body)]
        closed = body + [body[0]]
        out: list[Point] = []
        for a, b in zip(cuts, cuts[1:]):
            piece = self._arc(closed[a:b + 1])
            out += piece if not out else piece[1:]
        return out


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"unexpected geometry {geometry['type']}")


def valid(ring: list[Point]) -> bool:
    return len(ring) >= 4 and signed_area(ring) != 0


def orient(ring: list[Point], clockwise: bool) -> list[Point]:
    return ring if (signed_area(ring) < 0) == clockwise else ring[::-1]


def derive(upstream: dict, decimals: int, tolerance: float) -> dict:
    features = []
    for feature in upstream["features"]:
        polygons = [[dedupe([(round(x, decimals), round(y, decimals)) for x, y, *_ in ring])
                     for ring in polygon] for polygon in _polygons(feature["geometry"])]
        features.append((feature["properties"], polygons))
    simplifier = ArcSimplifier([r for _, ps in features for p in ps for r in p], tolerance)

    out = []
    for properties, polygons in features:
        kept = []
        for polygon in polygons:
            outer, *holes = [dedupe(simplifier.ring(r)) for r in polygon]
            if not valid(outer):
                continue  # the outer ring vanished: its holes go with it
            holes = [h for h in holes if valid(h)]
            kept.append([[list(p) for p in orient(outer, clockwise=True)]]
                        + [[list(p) for p in orient(h, clockwise=False)] for h in holes])
        if not kept:
            raise SystemExit(f"{properties.get('nom')}: no polygon left, lower --tolerance")
        geometry = ({"type": "Polygon", "coordinates": kept[0]} if len(kept) == 1
                    else {"type": "MultiPolygon", "coordinates": kept})
        out.append({"type": "Feature",
                    "properties": {"code": properties["code"], "nom": properties["nom"]},
                    "geometry": geometry})
    out.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": out}


def count_points(collection: dict) -> int:
    return sum(len(r) for f in collection["features"]
               for p in _polygons(f["geometry"]) for r in p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream", type=Path,
                        help="regions-avant-redecoupage-2015.geojson from france-geojson")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--decimals", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=0.5,
                        help="Douglas-Peucker tolerance in km (default 0.5)")
    args = parser.parse_args()

    upstream = json.loads(args.upstream.read_text(encoding="utf-8"))
    derived = derive(upstream, args.decimals, args.tolerance)
    text = json.dumps(derived, ensure_ascii=False, separators=(",", ":")) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.upstream}: {args.upstream.stat().st_size:,} bytes, "
          f"{len(upstream['features'])} features, {count_points(upstream):,} points")
    print(f"{args.output}: {args.output.stat().st_size:,} bytes, "
          f"{len(derived['features'])} features, {count_points(derived):,} points")


if __name__ == "__main__":
    main()
