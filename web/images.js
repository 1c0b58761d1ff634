// Pictures of Kommune profiles and Zukunftsorte: uploading one (the server keeps three JPEG
// sizes without any metadata), a form field to choose, preview and remove one, and the <img>
// that shows one in the size the page needs. The editors of profiles and Zukunftsorte use
// these; an image is named by its id (32 hex digits) everywhere.

import { ApiError, request } from './api.js';
import { problemText } from './messages.js';
import { element } from './dom.js';

/** The longest side of each stored variant (server/services/image_service.hpp). */
export const IMAGE_SIZES = Object.freeze([320, 800, 1600]);
/** The largest file the server takes. */
export const MAX_IMAGE_BYTES = 15 * 1024 * 1024;
const ACCEPTED_TYPES = 'image/jpeg,image/png,image/webp';

/** The URL of `id`'s variant whose longest side is `size` (320, 800 or 1600). */
export function imageUrl(id, size) {
  return `/images/${encodeURIComponent(id)}/${size}.jpg`;
}

// German texts of POST /api/images' problem codes worded for a picture; the image codes'
// own texts are messages.js's.
const UPLOAD_MESSAGES = Object.freeze({
  unauthenticated: 'Bitte zuerst anmelden.',
  forbidden: 'Sie dürfen für diese Kommune keine Bilder hochladen.',
  invalid_fields: 'Die Kommune des Bildes ist unbekannt.',
  malformed_multipart: 'Das Bild kam nicht vollständig beim Dienst an. Bitte noch einmal versuchen.',
});
const IMAGE_CODES = new Set(['unsupported_image', 'invalid_image', 'image_too_large', 'busy']);

/** The German message for a failed upload. */
function uploadMessage(error) {
  const code = error.problem?.code;
  if (code && Object.hasOwn(UPLOAD_MESSAGES, code)) return UPLOAD_MESSAGES[code];
  if (IMAGE_CODES.has(code) || !error.status) return problemText(error);
  return `Das Bild konnte nicht gespeichert werden (Fehler ${error.status}).`;
}

/**
 * Uploads `file` (a File or Blob) as a picture, for the Kommune `kommune` (AGS) if given.
 * Resolves with { id, width, height, urls }; rejects with an ApiError whose message is German.
 */
export async function uploadImage(file, { kommune } = {}) {
  if (file.size > MAX_IMAGE_BYTES) throw new ApiError(undefined, 413, { code: 'image_too_large' });
  const body = new FormData();
  body.append('file', file, file.name || 'bild');
  if (kommune) body.append('kommune', kommune);
  try {
    return await request('/api/images', { method: 'POST', body });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new ApiError(uploadMessage(error), error.status, error.problem);
  }
}

/**
 * An <img> of image `id` for a box about `size` CSS pixels wide: the browser picks among the
 * three variants (srcset) by the screen's density, loads it when it comes near the view.
 * `dimensions` ({ width, height } of the largest variant, as an upload answers) reserve the
 * picture's space before it loads; without them the box grows when it arrives.
 */
export function pictureOf(id, alt, size = 800, dimensions = null) {
  const image = element('img', 'picture');
  image.alt = alt ?? '';
  image.loading = 'lazy';
  image.decoding = 'async';
  image.src = imageUrl(id, IMAGE_SIZES.find((s) => s >= size) ?? IMAGE_SIZES.at(-1));
  image.srcset = IMAGE_SIZES.map((s) => `${imageUrl(id, s)} ${s}w`).join(', ');
  image.sizes = `(max-width: ${size}px) 100vw, ${size}px`;
  if (dimensions?.width > 0 && dimensions?.height > 0) {
    const scale = Math.min(1, size / Math.max(dimensions.width, dimensions.height));
    image.width = Math.round(dimensions.width * scale);
    image.height = Math.round(dimensions.height * scale);
  }
  return image;
}

let fieldCount = 0;

/**
 * A form field for one picture: `label`, a file input (JPEG, PNG, WebP), a preview of the
 * current picture and a button "Bild entfernen". `value` is the current image id or null;
 * `onChange(id)` is called with the new id after an upload, and with null after a removal.
 * `kommune` (AGS) is sent with uploads. Returns the field's element.
 */
export function imageField({ label, value = null, onChange = () => {}, kommune } = {}) {
  const id = `image-field-${++fieldCount}`;
  const wrapper = element('div', 'form-field image-field');
  const caption = element('label', null, label);
  caption.htmlFor = id;
  const preview = element('div', 'image-preview');
  const input = element('input');
  input.type = 'file';
  input.id = id;
  input.accept = ACCEPTED_TYPES;
  const remove = element('button', 'image-remove', 'Bild entfernen');
  remove.type = 'button';
  const state = element('p', 'image-state');
  state.setAttribute('aria-live', 'polite');
  const error = element('p', 'field-error');
  error.id = `${id}-error`;
  error.setAttribute('role', 'alert');
  input.setAttribute('aria-describedby', error.id);

  let current = value;
  const show = (dimensions = null) => {
    preview.replaceChildren(current
      ? pictureOf(current, 'Vorschau des gewählten Bildes', 320, dimensions)
      : element('span', 'image-none', 'Kein Bild gewählt'));
    remove.hidden = !current;
  };

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    error.textContent = '';
    state.textContent = 'Bild wird hochgeladen …';
    input.disabled = true;
    try {
      const uploaded = await uploadImage(file, { kommune });
      current = uploaded.id;
      show(uploaded);
      state.textContent = 'Bild hochgeladen.';
      onChange(current);
    } catch (failure) {
      state.textContent = '';
      error.textContent = failure.message;
    } finally {
      input.disabled = false;
      input.value = '';
    }
  });
  remove.addEventListener('click', () => {
    current = null;
    error.textContent = '';
    state.textContent = 'Bild entfernt.';
    show();
    onChange(null);
    input.focus();
  });

  show();
  const controls = element('div', 'image-controls');
  controls.append(input, remove);
  wrapper.append(caption, preview, controls, state, error);
  return wrapper;
}
