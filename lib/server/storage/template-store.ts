/**
 * The templates' rows (templates.ts says what a template is): the definition's parts as JSON
 * text, the time it was archived, and a revision counted up at every change. Default names are
 * unique whatever their case, A to Z (SqlDialect.caseless).
 */
import { RmsError } from '../../errors';
import { SqlDatabase } from './sql-database';

export interface TemplateRow {
  id: string;
  name: string;
  description: string;
  /** JSON: names per language. */
  names: string;
  /** JSON: descriptions per language. */
  descriptions: string;
  /** JSON: grants, contentValidDays, offlineDays. */
  policy: string;
  /** JSON: addresses and domains. */
  audience: string;
  archived_at: number | null;
  updated_at: number;
  revision: number;
}

/** The columns an administrator's definition fills. */
export type TemplateColumns = Pick<TemplateRow, 'name' | 'description' | 'names' | 'descriptions' | 'policy' | 'audience'>;

export interface TemplateStore {
  /** The live templates, or every one, by name. */
  list(includeArchived: boolean): Promise<TemplateRow[]>;
  /** By ID or by default name (case-insensitive). */
  find(idOrName: string): Promise<TemplateRow | null>;
  byId(id: string): Promise<TemplateRow | null>;
  /** Inserts a template; CONFLICT when its name is taken. */
  insert(id: string, columns: TemplateColumns, now: number): Promise<TemplateRow>;
  /** Replaces a template's columns with what `change` makes of the current ones, in one transaction; null when there is no such template; CONFLICT when the new name is taken. */
  update(id: string, change: (current: TemplateRow) => TemplateColumns, now: number): Promise<TemplateRow | null>;
  /** Archives a template (archiving again keeps the first time); null when there is no such template. */
  archive(id: string, now: number): Promise<TemplateRow | null>;
  /** The revision of template `id`, read on every use license of its content; null when there is none. */
  revision(id: string): Promise<number | null>;
}

const COLUMNS: readonly (keyof TemplateColumns)[] = ['name', 'description', 'names', 'descriptions', 'policy', 'audience'];

function nameTaken(name: string, cause: unknown): RmsError {
  return new RmsError('CONFLICT', `a template named ${name} exists`, { cause });
}

export class SqlTemplateStore implements TemplateStore {
  constructor(private readonly db: SqlDatabase) {}

  list(includeArchived: boolean): Promise<TemplateRow[]> {
    return this.db.all<TemplateRow>(`SELECT * FROM templates ${includeArchived ? '' : 'WHERE archived_at IS NULL'} ORDER BY ${this.db.dialect.caseless('name')}`);
  }

  async find(idOrName: string): Promise<TemplateRow | null> {
    const caseless = this.db.dialect.caseless;
    return (await this.db.get<TemplateRow>(`SELECT * FROM templates WHERE id = ? OR ${caseless('name')} = ${caseless('?')}`, [idOrName, idOrName])) ?? null;
  }

  async byId(id: string): Promise<TemplateRow | null> {
    return (await this.db.get<TemplateRow>('SELECT * FROM templates WHERE id = ?', [id])) ?? null;
  }

  async insert(id: string, columns: TemplateColumns, now: number): Promise<TemplateRow> {
    try {
      await this.db.run(`INSERT INTO templates (id, ${COLUMNS.join(', ')}, updated_at) VALUES (?, ${COLUMNS.map(() => '?').join(', ')}, ?)`,
        [id, ...COLUMNS.map((c) => columns[c]), now]);
    } catch (cause) {
      if (this.db.dialect.isUniqueViolation(cause)) throw nameTaken(columns.name, cause);
      throw cause;
    }
    return (await this.byId(id))!;
  }

  update(id: string, change: (current: TemplateRow) => TemplateColumns, now: number): Promise<TemplateRow | null> {
    return this.db.transaction(async (tx) => {
      const current = await tx.get<TemplateRow>(`SELECT * FROM templates WHERE id = ?${this.db.dialect.lockRead}`, [id]);
      if (current === undefined) return null;
      const columns = change(current);
      try {
        await tx.run(`UPDATE templates SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')}, updated_at = ?, revision = revision + 1 WHERE id = ?`,
          [...COLUMNS.map((c) => columns[c]), now, id]);
      } catch (cause) {
        if (this.db.dialect.isUniqueViolation(cause)) throw nameTaken(columns.name, cause);
        throw cause;
      }
      return (await tx.get<TemplateRow>('SELECT * FROM templates WHERE id = ?', [id]))!;
    });
  }

  async archive(id: string, now: number): Promise<TemplateRow | null> {
    const changed = await this.db.run('UPDATE templates SET archived_at = coalesce(archived_at, ?), updated_at = ?, revision = revision + 1 WHERE id = ?', [now, now, id]);
    return changed === 0 ? null : this.byId(id);
  }

  async revision(id: string): Promise<number | null> {
    return (await this.db.get<{ revision: number }>('SELECT revision FROM templates WHERE id = ?', [id]))?.revision ?? null;
  }
}
