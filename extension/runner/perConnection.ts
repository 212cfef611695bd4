// Work done once per runner connection (and per `key`, e.g. a setting it depends on): the next connection
// does it again, as a restarted or replaced runner may answer differently. A failure is not remembered.
// vscode-free.

export class PerConnection<T> {
  private readonly memo = new WeakMap<object, { key: string; value: Promise<T> }>();

  get(connection: object, key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.memo.get(connection);
    if (hit && hit.key === key) return hit.value;
    const value = compute();
    this.memo.set(connection, { key, value });
    value.catch(() => {
      if (this.memo.get(connection)?.value === value) this.memo.delete(connection);
    });
    return value;
  }
}
