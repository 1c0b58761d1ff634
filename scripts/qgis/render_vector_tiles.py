#!/usr/bin/python3
"""Renders one layer of the atlas's vector tiles with QGIS alone (no OGC API Features layer
beside it, unlike ../shared/checks/qgis_client.py) and counts the drawn pixels, so a tile QGIS
cannot read shows as an empty picture. Usage:
  render_vector_tiles.py BASE_URL LAYER ZMIN ZMAX W,S,E,N OUT.png
Prints one JSON line; exits 1 when the layer is invalid or nothing was drawn."""
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsMapRendererParallelJob, QgsMapSettings, QgsProject, QgsRectangle,
                       QgsVectorTileBasicRenderer, QgsVectorTileLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

base, layer, zmin, zmax, extent, out = sys.argv[1:7]
app = QgsApplication([], False)
app.initQgis()
tiles = QgsVectorTileLayer(
    f"type=xyz&url={base}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt&zmin={zmin}&zmax={zmax}", layer)
# A layer made in code has no style; the GUI would give it one like this.
renderer = QgsVectorTileBasicRenderer()
renderer.setStyles(QgsVectorTileBasicRenderer.simpleStyleWithRandomColors())
tiles.setRenderer(renderer)
settings = QgsMapSettings()
settings.setLayers([tiles])
settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
west, south, east, north = map(float, extent.split(","))
to_map = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                settings.destinationCrs(), QgsProject.instance())
settings.setExtent(to_map.transformBoundingBox(QgsRectangle(west, south, east, north)))
settings.setOutputSize(QSize(800, 600))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(out, "png")
drawn = sum(1 for x in range(0, 800, 4) for y in range(0, 600, 4)
            if QColor(image.pixel(x, y)).lightness() < 240)
result = {"layer": layer, "valid": tiles.isValid(), "drawn_samples": drawn, "png": out}
print(json.dumps(result), flush=True)
os._exit(0 if tiles.isValid() and drawn > 0 else 1)  # exitQgis() segfaults headless in 3.22
