// A Leaflet layer that draws the atlas's GeoJSON tiles (/tiles/{layer}/{z}/{x}/{y}.geojson)
// onto one canvas per tile: only the tiles of the visible area are fetched, a tile's features
// are drawn once, and a million buildings cost no DOM nodes. Clicks are answered from the
// features of the tile under the pointer, and so is the pointer's moving over them
// (featurehover, for tooltips). restyle() redraws from the tiles already loaded;
// visibleFeatures() lists what is drawn in view, for the keyboard (building-picker.js).

const TILE_SIZE = 256;

/** Web-mercator pixel position of [lon, lat] at zoom z, in pixels of 256-pixel tiles. */
function worldPixel([lon, lat], scale) {
  const clamped = Math.max(Math.min(lat, 85.0511287798), -85.0511287798);
  const sin = Math.sin((clamped * Math.PI) / 180);
  return [
    ((lon + 180) / 360) * scale,
    (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale,
  ];
}

function polygonsOf(geometry) {
  if (geometry?.type === 'Polygon') return [geometry.coordinates];
  if (geometry?.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/** Even-odd point-in-polygon over all rings (holes included) of a lon/lat polygon. */
function contains(polygon, [x, y]) {
  let inside = false;
  for (const ring of polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** [west, south, east, north] of a (Multi)Polygon's outer rings, or null without any. */
function boundsOf(geometry) {
  let box = null;
  for (const polygon of polygonsOf(geometry)) {
    for (const [lon, lat] of polygon[0] ?? []) {
      if (!box) box = [lon, lat, lon, lat];
      else box = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
    }
  }
  return box;
}

/**
 * A [lon, lat] inside the (Multi)Polygon, or null: the middle of the widest span of its largest
 * part on the line through that part's middle latitude (even-odd, so never in a hole). The
 * average of the corners can lie outside an L-shaped building; a click there would miss it.
 */
export function pointOnSurface(geometry) {
  let largest = null;
  let largestArea = -1;
  for (const polygon of polygonsOf(geometry)) {
    const box = boundsOf({ type: 'Polygon', coordinates: polygon });
    const area = box ? (box[2] - box[0]) * (box[3] - box[1]) : -1;
    if (area > largestArea) [largest, largestArea] = [{ polygon, box }, area];
  }
  if (!largest) return null;
  const y = (largest.box[1] + largest.box[3]) / 2;
  const crossings = [];
  for (const ring of largest.polygon) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y)) crossings.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
  }
  crossings.sort((a, b) => a - b);
  let best = null;
  for (let i = 0; i + 1 < crossings.length; i += 2) {
    if (!best || crossings[i + 1] - crossings[i] > best[1] - best[0]) best = [crossings[i], crossings[i + 1]];
  }
  return best ? [(best[0] + best[1]) / 2, y] : polygonsOf(geometry)[0][0][0];
}

export const GeoJsonTileLayer = L.GridLayer.extend({
  options: {
    layer: 'buildings',
    // ({properties}) → { fill, stroke, weight } or null to leave the feature out.
    style: () => ({ fill: 'rgba(80, 90, 100, 0.5)', stroke: '#333', weight: 1 }),
    pane: 'overlayPane',
    // Our tiles hold 64 units of buffer beyond each edge, so nothing is cut at tile borders.
    updateWhenZooming: false,
  },

  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this._features = new Map();  // tile key → features
    this._pending = 0;
  },

  onAdd(map) {
    L.GridLayer.prototype.onAdd.call(this, map);
    map.on('click', this._onMapClick, this);
    map.on('mousemove', this._onMapHover, this);
    map.on('mouseout', this._onMapLeave, this);
  },

  onRemove(map) {
    map.off('click', this._onMapClick, this);
    map.off('mousemove', this._onMapHover, this);
    map.off('mouseout', this._onMapLeave, this);
    L.GridLayer.prototype.onRemove.call(this, map);
  },

  createTile(coords, done) {
    const canvas = L.DomUtil.create('canvas', 'leaflet-tile atlas-vector-tile');
    const ratio = window.devicePixelRatio || 1;
    canvas.width = TILE_SIZE * ratio;
    canvas.height = TILE_SIZE * ratio;
    const key = this._tileCoordsToKey(coords);
    const url = `/tiles/${this.options.layer}/${coords.z}/${coords.x}/${coords.y}.geojson`;
    this._pending += 1;
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/geo+json' } })
      .then(async (response) => {
        if (response.status === 204) return [];
        if (!response.ok) throw new Error(`Fehler ${response.status}`);
        return (await response.json()).features ?? [];
      })
      .then((features) => {
        this._features.set(key, features);
        this._draw(canvas, coords, features);
        done(null, canvas);
        this.fire('tiledata', { coords, count: features.length });
      })
      .catch((error) => {
        done(error, canvas);
      })
      .finally(() => {
        this._pending -= 1;
        if (this._pending === 0) this.fire('idle');
      });
    return canvas;
  },

  _removeTile(key) {
    this._features.delete(key);
    L.GridLayer.prototype._removeTile.call(this, key);
  },

  _draw(canvas, coords, features) {
    const context = canvas.getContext('2d');
    const ratio = canvas.width / TILE_SIZE;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, TILE_SIZE, TILE_SIZE);
    const scale = TILE_SIZE * 2 ** coords.z;
    const originX = coords.x * TILE_SIZE;
    const originY = coords.y * TILE_SIZE;
    for (const feature of features) {
      const style = this.options.style(feature);
      if (!style) continue;
      context.beginPath();
      for (const polygon of polygonsOf(feature.geometry)) {
        for (const ring of polygon) {
          ring.forEach((point, i) => {
            const [px, py] = worldPixel(point, scale);
            if (i === 0) context.moveTo(px - originX, py - originY);
            else context.lineTo(px - originX, py - originY);
          });
          context.closePath();
        }
      }
      if (style.fill) {
        context.fillStyle = style.fill;
        context.fill('evenodd');
      }
      if (style.stroke && style.weight !== 0) {
        context.strokeStyle = style.stroke;
        context.lineWidth = style.weight ?? 1;
        context.stroke();
      }
    }
  },

  /** Draws every loaded tile again, e.g. after the style's inputs changed. */
  restyle() {
    for (const [key, tile] of Object.entries(this._tiles)) {
      const features = this._features.get(key);
      if (features) this._draw(tile.el, tile.coords, features);
    }
  },

  /** The features of the loaded tiles (each once, by id). */
  loadedFeatures() {
    const byId = new Map();
    for (const features of this._features.values())
      for (const feature of features) byId.set(feature.id, feature);
    return [...byId.values()];
  },

  /**
   * The drawn features of the current zoom's tiles that reach into the map's view, each once.
   * A feature on a tile border comes in each tile, clipped at that tile's buffer: the copy
   * with the largest extent is kept, the one closest to the whole building.
   */
  visibleFeatures() {
    const map = this._map;
    if (!map || this._tileZoom === undefined) return [];
    const view = map.getBounds();
    const largest = new Map();  // id → { feature, area }
    for (const [key, features] of this._features) {
      if (this._keyToTileCoords(key).z !== this._tileZoom) continue;  // a tile kept while zooming
      for (const feature of features) {
        const box = boundsOf(feature.geometry);
        if (!box || !this.options.style(feature)) continue;
        if (box[2] < view.getWest() || box[0] > view.getEast() || box[3] < view.getSouth() || box[1] > view.getNorth()) continue;
        const area = (box[2] - box[0]) * (box[3] - box[1]);
        const seen = largest.get(feature.id);
        if (!seen || area > seen.area) largest.set(feature.id, { feature, area });
      }
    }
    return [...largest.values()].map(({ feature }) => feature);
  },

  /** The visible feature under `latlng`, or null. */
  featureAt(latlng) {
    const map = this._map;
    if (!map) return null;
    const zoom = this._tileZoom ?? Math.round(map.getZoom());
    const point = map.project(latlng, zoom).divideBy(TILE_SIZE).floor();
    const features = this._features.get(this._tileCoordsToKey({ x: point.x, y: point.y, z: zoom })) ?? [];
    const position = [latlng.lng, latlng.lat];
    // The last drawn is on top.
    for (let i = features.length - 1; i >= 0; i--) {
      const feature = features[i];
      if (!this.options.style(feature)) continue;
      if (polygonsOf(feature.geometry).some((polygon) => contains(polygon, position))) return feature;
    }
    return null;
  },

  /** Every visible feature under `latlng`, the top one (the last drawn) first: a Gemeinde and
   *  the Kreis around it, say. */
  featuresAt(latlng) {
    const map = this._map;
    if (!map) return [];
    const zoom = this._tileZoom ?? Math.round(map.getZoom());
    const point = map.project(latlng, zoom).divideBy(TILE_SIZE).floor();
    const features = this._features.get(this._tileCoordsToKey({ x: point.x, y: point.y, z: zoom })) ?? [];
    const position = [latlng.lng, latlng.lat];
    return features.filter((feature) => this.options.style(feature)
      && polygonsOf(feature.geometry).some((polygon) => contains(polygon, position))).reverse();
  },

  _onMapHover(event) {
    // Only layers with a listener pay for the search (the buildings have thousands per tile).
    if (this.listens('featurehover')) {
      this.fire('featurehover', { features: this.featuresAt(event.latlng), latlng: event.latlng });
    }
  },

  _onMapLeave() {
    if (this.listens('featurehover')) this.fire('featurehover', { features: [], latlng: null });
  },

  _onMapClick(event) {
    const feature = this.featureAt(event.latlng);
    if (feature) this.fire('featureclick', { feature, latlng: event.latlng });
  },
});
