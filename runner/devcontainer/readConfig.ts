import { open } from 'node:fs/promises';
import { MAX_CONFIG_BYTES } from '../api/limits';
import { ConfigError } from './errors';

/** A config file refused for its size. */
export function configTooLarge(file: string, bytes: number, maxBytes: number): ConfigError {
  return new ConfigError({
    code: 'Invalid',
    file,
    message: `the file is larger than ${maxBytes / (1024 * 1024)} MiB (${bytes} bytes); devrig does not read configs that big`,
  });
}

/** The text of a config file, refused before it is read when it is larger than `maxBytes`. */
export async function readConfigText(file: string, maxBytes = MAX_CONFIG_BYTES): Promise<string> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (error) {
    throw new ConfigError(
      { code: 'NotFound', file, message: 'cannot read the config file' },
      { cause: error },
    );
  }
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw configTooLarge(file, size, maxBytes);
    return await fh.readFile('utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      { code: 'NotFound', file, message: 'cannot read the config file' },
      { cause: error },
    );
  } finally {
    await fh.close();
  }
}
