/**
 * prisma/schema.prisma drives the generated client; prisma/migrations/*.sql builds the real tables.
 * Nothing but this test keeps the two in step (Prisma's own diff needs an engine we cannot download),
 * so it reads the schema file and checks the migrated database column by column, index by index.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const SCALAR_UDT: Record<string, string> = {
  String: 'text',
  Int: 'int4',
  BigInt: 'int8',
  Float: 'float8',
  Boolean: 'bool',
  DateTime: 'timestamp',
  Json: 'jsonb',
  Bytes: 'bytea',
  Decimal: 'numeric',
};

interface SchemaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: string;
}
interface SchemaModel {
  name: string;
  fields: SchemaField[];
  blockAttributes: string[];
}

function parseSchema(source: string): { models: SchemaModel[]; enums: Map<string, string[]> } {
  const withoutComments = source.replace(/\/\/.*$/gm, '');
  const models: SchemaModel[] = [];
  const enums = new Map<string, string[]>();
  for (const [, kind, name, body] of withoutComments.matchAll(/^(model|enum)\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const lines = body.split('\n').map((line) => line.trim()).filter(Boolean);
    if (kind === 'enum') {
      enums.set(name, lines);
      continue;
    }
    const model: SchemaModel = { name, fields: [], blockAttributes: [] };
    for (const line of lines) {
      if (line.startsWith('@@')) {
        model.blockAttributes.push(line);
        continue;
      }
      const match = /^(\w+)\s+(\w+)(\[\]|\?)?\s*(.*)$/.exec(line);
      assert.ok(match, `cannot read field line "${line}" in model ${name}`);
      model.fields.push({ name: match[1], type: match[2], list: match[3] === '[]', optional: match[3] === '?', attributes: match[4] });
    }
    models.push(model);
  }
  return { models, enums };
}

const fieldList = (attribute: string) => /\[([^\]]*)\]/.exec(attribute)![1].split(',').map((field) => field.trim());

let database: TestDatabase;
let client: pg.Client;
before(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
after(async () => {
  await client?.end();
  await database?.drop();
});

test('every model, field, enum, index and foreign key of schema.prisma exists in the migrated database as Prisma would create it', async () => {
  const { models, enums } = parseSchema(await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8'));
  const modelNames = new Set(models.map((model) => model.name));
  assert.ok(models.length >= 6 && enums.size >= 2, 'schema parsed');

  const enumRows = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
  );
  assert.deepEqual(new Map(enumRows.rows.map((row) => [row.name, row.labels])), enums);

  const columnRows = await client.query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string; column_default: string | null; datetime_precision: number | null }>(
    `SELECT table_name, column_name, udt_name, is_nullable, column_default, datetime_precision FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_morphsweep_migrations'`,
  );
  const actualColumns = new Map(columnRows.rows.map((row) => [`${row.table_name}.${row.column_name}`, row]));
  const expectedIndexes = new Map<string, { columns: string[]; unique: boolean }>();
  const expectedForeignKeys = new Map<string, string>();

  for (const model of models) {
    for (const field of model.fields) {
      if (modelNames.has(field.type)) {
        const relation = /@relation\(([^)]*)\)/.exec(field.attributes);
        if (relation?.[1].includes('fields:')) {
          const [fkField] = fieldList(/fields:\s*(\[[^\]]*\])/.exec(relation[1])![1]);
          const onDelete = /onDelete:\s*(\w+)/.exec(relation[1])?.[1] ?? 'Restrict';
          expectedForeignKeys.set(`${model.name}_${fkField}_fkey`, `${model.name}(${fkField}) -> ${field.type} on delete ${onDelete}`);
        }
        continue;
      }
      const key = `${model.name}.${field.name}`;
      const column = actualColumns.get(key);
      assert.ok(column, `column ${key} is in schema.prisma but not in the migrated database`);
      actualColumns.delete(key);
      const baseUdt = enums.has(field.type) ? field.type : SCALAR_UDT[field.type];
      assert.equal(column.udt_name, field.list ? `_${baseUdt}` : baseUdt, `type of ${key}`);
      // Prisma creates list columns nullable even when the field is not optional.
      assert.equal(column.is_nullable, field.optional || field.list ? 'YES' : 'NO', `nullability of ${key}`);
      assert.equal(column.column_default !== null, field.attributes.includes('@default('), `default of ${key}`);
      if (field.type === 'DateTime') assert.equal(column.datetime_precision, 3, `precision of ${key}`);
      if (/@id\b/.test(field.attributes)) expectedIndexes.set(`${model.name}_pkey`, { columns: [field.name], unique: true });
      if (/@unique\b/.test(field.attributes)) expectedIndexes.set(`${model.name}_${field.name}_key`, { columns: [field.name], unique: true });
    }
    for (const attribute of model.blockAttributes) {
      const columns = fieldList(attribute);
      if (attribute.startsWith('@@id')) expectedIndexes.set(`${model.name}_pkey`, { columns, unique: true });
      else if (attribute.startsWith('@@unique')) expectedIndexes.set(`${model.name}_${columns.join('_')}_key`, { columns, unique: true });
      else if (attribute.startsWith('@@index')) expectedIndexes.set(`${model.name}_${columns.join('_')}_idx`, { columns, unique: false });
    }
  }
  assert.deepEqual([...actualColumns.keys()], [], 'columns in the database that schema.prisma does not declare');

  const indexRows = await client.query<{ name: string; columns: string[]; unique: boolean }>(`
    SELECT i.relname AS name, array_agg(a.attname ORDER BY k.ord)::text[] AS columns, ix.indisunique AS unique
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' AND t.relname <> '_morphsweep_migrations'
    GROUP BY i.relname, ix.indisunique`);
  assert.deepEqual(new Map(indexRows.rows.map((row) => [row.name, { columns: row.columns, unique: row.unique }])), expectedIndexes);

  const foreignKeyRows = await client.query<{ name: string; description: string }>(`
    SELECT c.conname AS name,
      format('%s(%s) -> %s on delete %s', t.relname, a.attname, r.relname,
        CASE c.confdeltype WHEN 'c' THEN 'Cascade' WHEN 'r' THEN 'Restrict' WHEN 'n' THEN 'SetNull' WHEN 'a' THEN 'NoAction' ELSE 'SetDefault' END) AS description
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class r ON r.oid = c.confrelid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND c.confupdtype = 'c'`);
  assert.deepEqual(new Map(foreignKeyRows.rows.map((row) => [row.name, row.description])), expectedForeignKeys);
});
