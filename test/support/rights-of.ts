import { RmsClient, RmsError } from '../../lib';

/** The rights `client` gets for `pl` from its service, or the RmsError code it is refused with. */
export async function rightsOf(client: RmsClient, pl: string): Promise<string[] | string> {
  try {
    const license = await client.getContentKey(pl);
    const rights = [...license.rights];
    license.close();
    return rights;
  } catch (error) {
    if (error instanceof RmsError) return error.code;
    throw error;
  }
}
