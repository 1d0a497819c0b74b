"""Derive the light base layer of the map, data/geo/regions-2013.geojson.

Input: ``regions-avant-redecoupage-2015.geojson`` of the france-geojson repository
(https://github.com/gregoiredavid/france-geojson, blob 6a49f3e8…, unchanged since its
commit 25271d2 of 28 October 2016): the 22 metropolitan regions as they were from 1982
to 2015, contours IGN GEOFLA 2.2 (28 June 2016), names and codes INSEE, Licence Ouverte.
It is data, not code: the book commits the derived file and this script, not the input.

    git -C <france-geojson> show 6a49f3e818870c811b0e15dc69f5569f1cd4b400 > upstream.geojson
    python tools/make_regions_2013.py upstream.geojson

What the derivation does (properties ``code`` and ``nom`` kept, the rest dropped):

1. The regions become a topology (the ``topojson`` library): each border is one arc
   shared by the two regions it separates, and each arc is simplified once
   (Douglas-Peucker, ``--tolerance`` in kilometres), so that shared borders stay
   identical, with neither gaps nor overlaps. Islands and enclaves keep at least a
   triangle (topojson's ``prevent_oversimplify``).
2. Coordinates rounded to ``--decimals`` (3: about 100 m, far below a pixel of the map);
   a vertex shared by two regions rounds the same way in both. Repeated points, then
   rings left with fewer than four points or no area, are dropped (with the holes of a
   dropped outer ring). Every feature must keep at least one polygon, or the script fails.
3. Outer rings made clockwise and holes counter-clockwise (shapely's ``orient``), as
   plotly.js (d3-geo) wants them (the GeoJSON RFC says the opposite; plotly.js would fill
   the rest of the globe).

The script prints the sizes of the input and of the output, and the number of points.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import shapely
import topojson
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "data" / "geo" / "regions-2013.geojson"
KM_PER_DEGREE = 111.32  # of latitude; the tolerance is applied in degrees


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"unexpected geometry {geometry['type']}")


def _rounded_ring(ring, decimals: int) -> list[tuple[float, float]] | None:
    """The ring on the rounded grid, without repeated points; None if it collapsed."""
    line = shapely.remove_repeated_points(shapely.LinearRing(
        [(round(x, decimals), round(y, decimals)) for x, y, *_ in ring]))
    points = list(line.coords)
    if len(points) < 4 or Polygon(points).area == 0:
        return None
    return points


def derive(upstream: dict, decimals: int, tolerance: float) -> dict:
    regions = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": f["geometry"],
         "properties": {"code": f["properties"]["code"], "nom": f["properties"]["nom"]}}
        for f in upstream["features"]]}
    simplified = json.loads(topojson.Topology(
        regions, prequantize=False, topology=True, simplify_algorithm="dp",
        toposimplify=tolerance / KM_PER_DEGREE, prevent_oversimplify=True).to_geojson())

    out = []
    for feature in simplified["features"]:
        kept = []
        for polygon in _polygons(feature["geometry"]):
            outer, *holes = [_rounded_ring(r, decimals) for r in polygon]
            if outer is None:
                continue  # the outer ring vanished: its holes go with it
            kept.append(orient(Polygon(outer, [h for h in holes if h is not None]), sign=-1.0))
        if not kept:
            raise SystemExit(f"{feature['properties']['nom']}: no polygon left, lower --tolerance")
        geometry = mapping(kept[0] if len(kept) == 1 else MultiPolygon(kept))
        out.append({"type": "Feature", "properties": dict(feature["properties"]),
                    "geometry": json.loads(json.dumps(geometry))})  # tuples -> lists
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
    parser.add_argument("--tolerance", type=float, default=0.6,
                        help="Douglas-Peucker tolerance in km (default 0.6)")
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
