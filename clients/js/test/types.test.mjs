import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as client from '../parley-client.js';

// parley-client.d.ts is written by hand; this keeps it honest against docs/asyncapi.yaml (the document of every
// frame, itself kept equal to the server's frame types by chat-service's AsyncApiDocumentTest). No TypeScript
// compiler is needed: both files are read as text, asyncapi.yaml with a reader for the one shape it uses.

const asyncapi = readFileSync(new URL('../../../docs/asyncapi.yaml', import.meta.url), 'utf8');
const dts = readFileSync(new URL('../parley-client.d.ts', import.meta.url), 'utf8');

/** The lines of a block: those after `header` (at `indent` spaces) that are indented deeper. */
function block(lines, header, indent) {
  const start = lines.findIndex((l) => l === `${' '.repeat(indent)}${header}`);
  assert.ok(start >= 0, `asyncapi.yaml has no '${header}' at indent ${indent}`);
  const out = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (line.length - line.trimStart().length <= indent) break;
    out.push(line);
  }
  return out;
}

/** components.messages: {Name: {name, required: [..], properties: [..]}}. */
function asyncApiMessages() {
  const lines = block(asyncapi.split('\n'), 'components:', 0);
  const messages = {};
  let current;
  let inProperties = false;
  for (const line of block(lines, 'messages:', 2)) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (indent === 4) {
      current = { required: [], properties: [] };
      messages[text.replace(/:$/, '')] = current;
    } else if (indent === 6) {
      inProperties = false;
      const name = text.match(/^name: (\S+)$/);
      if (name) current.name = name[1];
    } else if (indent === 8) {
      inProperties = text === 'properties:';
      const required = text.match(/^required: \[(.*)\]$/);
      if (required) current.required = required[1].split(',').map((s) => s.trim());
    } else if (indent === 10 && inProperties) {
      current.properties.push(text.match(/^([A-Za-z]+):/)[1]);
    }
  }
  return messages;
}

/** The messages a channel's publish or subscribe operation lists. */
function channelMessages(channel, operation) {
  const lines = block(block(asyncapi.split('\n'), 'channels:', 0), `${channel}:`, 2);
  return block(lines, `${operation}:`, 4)
    .map((l) => l.match(/#\/components\/messages\/(\w+)'/)?.[1]).filter(Boolean);
}

/** The fields of `export interface <name> { ... }` in the .d.ts: {field: optional?}. */
function dtsInterface(name) {
  const match = dts.match(new RegExp(`export interface ${name} \\{([^}]*)\\}`));
  if (!match) return null;
  const fields = {};
  const body = match[1].replace(/\/\*[\s\S]*?\*\//g, ''); // comments say things like "edit and delete: ..."
  for (const [, field, optional, type] of body.matchAll(/(\w+)(\??):\s*([^;]+);/g)) fields[field] = { optional: optional === '?', type: type.trim() };
  return fields;
}

/** The members of `export type <name> = A | B | ...;` in the .d.ts. */
function dtsUnion(name) {
  const match = dts.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(match, `parley-client.d.ts has no type ${name}`);
  return match[1].split('|').map((s) => s.trim().replace(/^'|'$/g, '')).filter(Boolean);
}

const messages = asyncApiMessages();

describe('parley-client.d.ts against docs/asyncapi.yaml', () => {
  it('reads a plausible number of messages (the reader works)', () => {
    assert.ok(Object.keys(messages).length >= 25, Object.keys(messages).join(', '));
    assert.deepEqual(messages.Send.required, ['type', 'clientMsgId', 'to', 'body']);
  });

  for (const [message, { name, required, properties }] of Object.entries(messages)) {
    it(`${message}: an interface ${message}Frame with type '${name}' and every field, required ones not optional`, () => {
      const fields = dtsInterface(`${message}Frame`);
      assert.ok(fields, `parley-client.d.ts has no 'export interface ${message}Frame'`);
      assert.equal(fields.type?.type, `'${name}'`, `${message}Frame.type`);
      for (const property of properties) {
        assert.ok(property in fields, `${message}Frame has no field '${property}'`);
        assert.equal(fields[property].optional, !required.includes(property),
          `${message}Frame.${property} should be ${required.includes(property) ? 'required' : 'optional'}`);
      }
      for (const field of Object.keys(fields)) assert.ok(properties.includes(field), `${message}Frame.${field} is not in asyncapi.yaml`);
    });
  }

  for (const [union, channel, operation] of [
    ['ChatClientFrame', '/ws/chat', 'publish'], ['ChatServerFrame', '/ws/chat', 'subscribe'],
    ['NotifyClientFrame', '/ws/notify', 'publish'], ['NotifyServerFrame', '/ws/notify', 'subscribe'],
  ]) {
    it(`${union} is exactly the frames of ${channel} ${operation}`, () => {
      const listed = channelMessages(channel, operation);
      assert.ok(listed.length > 0);
      assert.deepEqual(dtsUnion(union).sort(), listed.map((m) => `${m}Frame`).sort());
    });
  }

  it('ErrorCode lists exactly the error frame\'s codes', () => {
    const codes = asyncapi.match(/code:\s*\n\s*type: string\s*\n\s*enum: \[([^\]]*)\]/)[1].split(',').map((s) => s.trim());
    assert.deepEqual(dtsUnion('ErrorCode').sort(), codes.sort());
  });

  it('CloseCodes (the module and the .d.ts) has every x-close-code', () => {
    const documented = block(asyncapi.split('\n'), 'x-close-codes:', 0).map((l) => Number(l.trim().split(':')[0])).sort();
    assert.deepEqual(Object.values(client.CloseCodes).sort(), documented);
    for (const code of documented) assert.match(dts, new RegExp(`: ${code};`), `CloseCodes in the .d.ts lacks ${code}`);
  });

  it('every value the module exports is declared in the .d.ts', () => {
    for (const name of Object.keys(client)) {
      if (name === 'default') continue;
      assert.match(dts, new RegExp(`export declare (class|const|function) ${name}\\b`), `${name} is not declared`);
    }
  });
});
