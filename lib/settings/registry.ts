/**
 * An in-memory registry: hives of keys, each key with named values and subkeys. Key and value
 * names are matched without regard to ASCII case and kept as first written, as on Windows: a
 * `.reg` file that sets `"trace"` after another set `"Trace"` changes the one value `Trace`.
 * This is what the `.reg` folders load into, and what `openrms config` edits and exports.
 */
import { Hive } from './hive';
import { foldName, splitKeyPath } from './key-path';
import { RegistryEntry, RegistrySource, ValueOrigin } from './registry-source';
import { RegistryValue } from './registry-value';

class Key {
  readonly values = new Map<string, RegistryEntry>();
  readonly subkeys = new Map<string, Key>();

  constructor(readonly name: string) {}

  child(name: string): Key | undefined {
    return this.subkeys.get(foldName(name));
  }

  isEmpty(): boolean {
    return this.values.size === 0 && this.subkeys.size === 0;
  }
}

export class Registry implements RegistrySource {
  private readonly roots = new Map<Hive, Key>();

  /** The hives that hold at least one key or value. */
  hives(): Hive[] {
    return [...this.roots.entries()].filter(([, root]) => !root.isEmpty()).map(([hive]) => hive);
  }

  /** Whether the key exists (a hive's root always does). */
  hasKey(hive: Hive, keyPath: string): boolean {
    return keyPath === '' || this.find(hive, keyPath) !== undefined;
  }

  getValue(hive: Hive, keyPath: string, name: string): RegistryEntry | undefined {
    return this.find(hive, keyPath)?.values.get(foldName(name));
  }

  listValues(hive: Hive, keyPath: string): readonly RegistryEntry[] {
    return [...(this.find(hive, keyPath)?.values.values() ?? [])];
  }

  listSubkeys(hive: Hive, keyPath: string): readonly string[] {
    return [...(this.find(hive, keyPath)?.subkeys.values() ?? [])].map((key) => key.name);
  }

  /** Creates the key and any missing parents; existing ones keep the case they were written in. */
  createKey(hive: Hive, keyPath: string): void {
    this.open(hive, keyPath);
  }

  /** Deletes the key with all its values and subkeys; true if it existed. The hive root is only emptied. */
  deleteKey(hive: Hive, keyPath: string): boolean {
    const segments = splitKeyPath(keyPath);
    if (segments.length === 0) {
      const existed = this.roots.has(hive);
      this.roots.delete(hive);
      return existed;
    }
    const parent = this.find(hive, segments.slice(0, -1).join('\\'));
    return parent?.subkeys.delete(foldName(segments[segments.length - 1]!)) ?? false;
  }

  /** Sets a value, creating its key; a value of the same name (in any case) keeps its name as first written. */
  setValue(hive: Hive, keyPath: string, name: string, value: RegistryValue, origin?: ValueOrigin): void {
    const key = this.open(hive, keyPath);
    const folded = foldName(name);
    const written = key.values.get(folded)?.name ?? name;
    key.values.set(folded, Object.freeze({ name: written, value, ...(origin === undefined ? {} : { origin: Object.freeze({ ...origin }) }) }));
  }

  /** Deletes a value; true if it existed. */
  deleteValue(hive: Hive, keyPath: string, name: string): boolean {
    return this.find(hive, keyPath)?.values.delete(foldName(name)) ?? false;
  }

  /** Deletes the keys below `keyPath` (and it) that hold no value and no subkey with one. */
  pruneEmptyKeys(hive: Hive, keyPath = ''): void {
    const prune = (key: Key): void => {
      for (const [folded, child] of key.subkeys) {
        prune(child);
        if (child.isEmpty()) key.subkeys.delete(folded);
      }
    };
    const key = this.find(hive, keyPath);
    if (key === undefined) return;
    prune(key);
    if (key.isEmpty() && keyPath !== '') this.deleteKey(hive, keyPath);
  }

  /**
   * Every key of `hive` from `keyPath` down, parents before children and siblings in
   * case-insensitive name order (the order Registry Editor exports them in), each with its
   * path as written and its values.
   */
  walk(hive: Hive, keyPath = ''): { keyPath: string; values: readonly RegistryEntry[] }[] {
    const start = this.find(hive, keyPath);
    if (start === undefined) return [];
    const keys: { keyPath: string; values: readonly RegistryEntry[] }[] = [];
    const visit = (key: Key, path: string): void => {
      keys.push({ keyPath: path, values: [...key.values.values()] });
      const children = [...key.subkeys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [, child] of children) visit(child, path === '' ? child.name : `${path}\\${child.name}`);
    };
    visit(start, this.writtenPath(hive, keyPath));
    return keys;
  }

  /** A deep copy (entries are immutable and shared). */
  clone(): Registry {
    const copy = new Registry();
    const duplicate = (key: Key): Key => {
      const twin = new Key(key.name);
      for (const [folded, entry] of key.values) twin.values.set(folded, entry);
      for (const [folded, child] of key.subkeys) twin.subkeys.set(folded, duplicate(child));
      return twin;
    };
    for (const [hive, root] of this.roots) copy.roots.set(hive, duplicate(root));
    return copy;
  }

  /** The key's path with each segment in the case it was first written in. */
  private writtenPath(hive: Hive, keyPath: string): string {
    const names: string[] = [];
    let key = this.roots.get(hive);
    for (const segment of splitKeyPath(keyPath)) {
      key = key?.child(segment);
      names.push(key?.name ?? segment);
    }
    return names.join('\\');
  }

  private find(hive: Hive, keyPath: string): Key | undefined {
    let key = this.roots.get(hive);
    for (const segment of splitKeyPath(keyPath)) {
      if (key === undefined) return undefined;
      key = key.child(segment);
    }
    return key;
  }

  private open(hive: Hive, keyPath: string): Key {
    let key: Key | undefined = this.roots.get(hive);
    if (key === undefined) {
      key = new Key('');
      this.roots.set(hive, key);
    }
    for (const segment of splitKeyPath(keyPath)) {
      let child: Key | undefined = key.child(segment);
      if (child === undefined) {
        child = new Key(segment);
        key.subkeys.set(foldName(segment), child);
      }
      key = child;
    }
    return key;
  }
}
