import { StoreUnavailable } from '../app/roomStateStore';

/** One request to the shared store; any failure of it is the store being unavailable. */
export async function storeCall<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new StoreUnavailable(error);
  }
}
