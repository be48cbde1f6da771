import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.js";

/**
 * Writes a machine-wide cache folder (converted word vectors, WordNet) the way several test
 * workers or services can do at once: every file goes into a private temporary folder, is
 * flushed to disk, and the folder is renamed into place in one step. When another process
 * got there first, its folder is kept and ours dropped: a complete cache that others may be
 * reading is never deleted.
 */
export async function writeCacheDir(
  dir: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    for (const [name, data] of Object.entries(files)) {
      const handle = await open(path.join(tmp, name), "w");
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    try {
      await rename(tmp, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Reads a cache folder, building it first when it is missing, and once more when what is
 * there cannot be read (a disk that filled up, a file cut short): the damaged folder is
 * removed and rebuilt. A second failure is an `AppError` with `unreadable` as its message.
 */
export async function readCacheDir<T>(
  dir: string,
  steps: { complete: () => boolean; build: () => Promise<void>; read: () => Promise<T> },
  unreadable: string,
): Promise<T> {
  if (!steps.complete()) await steps.build();
  try {
    return await steps.read();
  } catch {
    await rm(dir, { recursive: true, force: true });
    await steps.build();
    try {
      return await steps.read();
    } catch (cause) {
      throw new AppError("internal", unreadable, { cause });
    }
  }
}

async function read32(file: string): Promise<ArrayBuffer> {
  const bytes = await readFile(file);
  if (bytes.byteLength % 4 !== 0) throw new Error(`${file} is not a list of 32-bit numbers`);
  // Copied: the read buffer may be misaligned for 32-bit access.
  return new Uint8Array(bytes).buffer;
}

/** Reads a cache file of little-endian 32-bit integers. */
export async function readInt32(file: string): Promise<Int32Array> {
  return new Int32Array(await read32(file));
}

/** Reads a cache file of little-endian 32-bit floats. */
export async function readFloat32(file: string): Promise<Float32Array> {
  return new Float32Array(await read32(file));
}
