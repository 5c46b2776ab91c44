/**
 * Names of protected files, as MSIPC's File API gives them: `.txt .xml .jpg .jpeg .jpe .jfif
 * .png .tif .tiff .bmp .gif .jt` become `.p<ext>` (report.txt -> report.ptxt), `.pdf` becomes
 * `.ppdf`, and anything else keeps its name with `.pfile` appended (deck.pptx ->
 * deck.pptx.pfile). Unprotecting restores the original name from the extension the container
 * records. The case of the original extension is kept.
 */
import path from 'node:path';

const P_EXTENSIONS = ['.txt', '.xml', '.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.tif', '.tiff', '.bmp', '.gif', '.jt', '.pdf'];
const PFILE_SUFFIX = '.pfile';

/** The protected name of a file called `name` (a base name or a path). */
export function protectedFileName(name: string): string {
  const extension = path.extname(name);
  if (P_EXTENSIONS.includes(extension.toLowerCase())) return `${name.slice(0, -extension.length)}.p${extension.slice(1)}`;
  return `${name}${PFILE_SUFFIX}`;
}

/**
 * The name a protected file called `name` unprotects to, given the original extension its
 * container records (e.g. ".txt"): the inverse of `protectedFileName`. A name that follows
 * neither rule gets the original extension appended, so it never comes back unchanged.
 */
export function unprotectedFileName(name: string, originalExtension: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith(PFILE_SUFFIX) && name.length > PFILE_SUFFIX.length) {
    const base = name.slice(0, -PFILE_SUFFIX.length);
    return base.toLowerCase().endsWith(originalExtension.toLowerCase()) ? base : `${base}${originalExtension}`;
  }
  const extension = path.extname(name);
  const pExtension = `.${extension.slice(2)}`;
  if (extension.length > 2 && extension[1]?.toLowerCase() === 'p' && P_EXTENSIONS.includes(pExtension.toLowerCase())) {
    return `${name.slice(0, -extension.length)}${originalExtension || pExtension}`;
  }
  return `${name}${originalExtension || '.unprotected'}`;
}
