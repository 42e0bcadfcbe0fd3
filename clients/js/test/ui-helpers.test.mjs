import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timeline, TypingThrottle, TypingTracker, UserDirectory, dayKey, dayLabel, withDaySeparators } from '../parley-client.js';

// The helpers the web chat page builds on: what a conversation shows after history and live frames, read state,
// typing, names. Frames here are shaped as chat-service sends them (docs/protocol.md).

const ME = 1;
const PEER = 2;
const msg = (seq, extra = {}) => ({ id: `M${seq}`, conversation: 'd:1:2', seq, from: PEER, to: { user: ME }, body: `text ${seq}`, kind: 'text', ts: 1_700_000_000_000 + seq, ...extra });

describe('Timeline: edits and deletes', () => {
  it('applies a live edit and a live delete to their target', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(1));
    t.add(msg(2));
    t.add(msg(3, { kind: 'edit', target: 'M1', body: 'fixed' }));
    t.add(msg(4, { kind: 'delete', target: 'M2', body: '' }));
    const [first, second] = t.list();
    assert.equal(t.list().length, 2); // change events are not messages of their own
    assert.deepEqual([first.body, first.edited, first.deleted], ['fixed', true, undefined]);
    assert.deepEqual([second.body, second.deleted], ['', true]);
    assert.equal(t.maxSeq, 4);
  });

  it('applies a change that arrives before its target (history is read newest first)', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(5, { kind: 'delete', target: 'M3', body: '' }));
    t.add(msg(4, { kind: 'edit', target: 'M3', body: 'older edit' })); // older than the delete: the delete stays
    t.add(msg(3));
    assert.equal(t.get('M3').deleted, true);
    assert.equal(t.get('M3').body, '');
  });

  it('shows the latest version from history: tombstones and editedSeq', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(1, { kind: 'deleted', body: '' }));
    t.add(msg(2, { body: 'second version', editedSeq: 3 }));
    assert.equal(t.get('M1').deleted, true);
    assert.equal(t.get('M2').edited, true);
    assert.equal(t.get('M2').body, 'second version');
  });

  it('keeps a newer live change when an older copy of the message comes again (history page, replay)', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(1));
    t.add(msg(2, { kind: 'edit', target: 'M1', body: 'new' }));
    t.add(msg(1)); // the original again
    assert.equal(t.get('M1').body, 'new');
    t.add(msg(3, { kind: 'delete', target: 'M1' }));
    t.add(msg(1, { body: 'new', editedSeq: 2 }));
    assert.equal(t.get('M1').deleted, true);
  });

  it('ignores an edit older than the one applied', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(1));
    t.add(msg(3, { kind: 'edit', target: 'M1', body: 'newest' }));
    t.add(msg(2, { kind: 'edit', target: 'M1', body: 'older' }));
    assert.equal(t.get('M1').body, 'newest');
  });

  it('the last message for a preview is the newest by seq, deleted or not', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(2));
    t.add(msg(1));
    assert.equal(t.last().id, 'M2');
    t.add(msg(3, { kind: 'delete', target: 'M2' }));
    assert.equal(t.last().deleted, true);
    assert.equal(new Timeline({}).last(), undefined);
  });
});

describe('Timeline: own messages and read state', () => {
  it('a pending message becomes the stored one on sent, and sorts after stored ones until then', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.add(msg(1));
    const draft = t.addPending({ clientMsgId: 'c-1', from: ME, body: 'hi', ts: 1 });
    assert.equal(t.statusOf(draft), 'pending');
    assert.deepEqual(t.list().map((m) => m.id), ['M1', 'c-1']);
    const stored = t.confirm({ clientMsgId: 'c-1', id: 'M2', conversation: 'd:1:2', seq: 2, ts: 5 });
    assert.deepEqual(t.list().map((m) => m.id), ['M1', 'M2']);
    assert.equal(stored.pending, undefined);
    assert.equal(t.statusOf(stored), 'sent');
  });

  it('a failed send says why', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    t.addPending({ clientMsgId: 'c-1', from: ME, body: 'hi' });
    t.fail('c-1', 'NOT_FOUND');
    assert.equal(t.statusOf(t.get('c-1')), 'failed');
  });

  it('my message is read once a read frame of the other reaches its seq, not before', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    const mine = t.add(msg(3, { from: ME }));
    t.noteRead(PEER, 2);
    assert.equal(t.statusOf(mine), 'sent');
    t.noteRead(PEER, 3);
    assert.equal(t.statusOf(mine), 'read');
    t.noteRead(PEER, 1); // a read cursor never moves back
    assert.equal(t.statusOf(mine), 'read');
    assert.deepEqual(t.readersOf(mine), [PEER]);
  });

  it('a message of the other after mine means they read mine (sending moves their read cursor)', () => {
    const t = new Timeline({ conversation: 'd:1:2', me: ME });
    const mine = t.add(msg(1, { from: ME }));
    assert.equal(t.statusOf(mine), 'sent'); // my own message does not count as read by me
    t.add(msg(2));
    assert.equal(t.statusOf(mine), 'read');
  });

  it('in a group, lists who has read', () => {
    const t = new Timeline({ conversation: 'g:9', me: ME });
    const mine = t.add({ ...msg(4, { from: ME }), conversation: 'g:9' });
    t.noteRead(3, 4);
    t.noteRead(4, 3);
    assert.deepEqual(t.readersOf(mine), [3]);
  });
});

describe('date separators', () => {
  it('puts one separator before the first message of each local day', () => {
    const day1 = new Date(2026, 0, 5, 23, 50).getTime();
    const day2 = new Date(2026, 0, 6, 0, 10).getTime();
    const items = withDaySeparators([{ id: 'a', ts: day1 }, { id: 'b', ts: day1 + 60_000 }, { id: 'c', ts: day2 }]);
    assert.deepEqual(items.map((i) => i.separator ?? i.id), ['2026-01-05', 'a', 'b', '2026-01-06', 'c']);
    assert.equal(dayKey(day2), '2026-01-06');
  });

  it('labels today and yesterday by name', () => {
    const now = new Date(2026, 2, 10, 12, 0).getTime();
    assert.equal(dayLabel(new Date(2026, 2, 10, 1, 0).getTime(), now), 'Today');
    assert.equal(dayLabel(new Date(2026, 2, 9, 23, 0).getTime(), now), 'Yesterday');
    assert.notEqual(dayLabel(new Date(2026, 2, 1).getTime(), now, 'en'), 'Yesterday');
    assert.match(dayLabel(new Date(2025, 2, 1).getTime(), now, 'en'), /2025/); // another year says which
  });
});

describe('typing', () => {
  it('TypingThrottle: one typing frame per interval while typing, a new round after the message went out', () => {
    let now = 0;
    const throttle = new TypingThrottle({ intervalMs: 3000, now: () => now });
    const sent = [];
    for (now = 0; now <= 7000; now += 500) if (throttle.typed('d:1:2')) sent.push(now);
    assert.deepEqual(sent, [0, 3000, 6000]);
    throttle.reset('d:1:2');
    assert.equal(throttle.typed('d:1:2'), true);
    assert.equal(throttle.typed('g:1'), true); // per conversation
  });

  it('TypingTracker: a user types until expiry after their last frame, or until their message arrives', () => {
    let now = 0;
    const tracker = new TypingTracker({ expiryMs: 6000, now: () => now });
    tracker.typing('d:1:2', 2);
    now = 3000;
    tracker.typing('g:1', 3);
    tracker.typing('g:1', 4);
    assert.deepEqual(tracker.who('d:1:2'), [2]);
    assert.equal(tracker.nextExpiryIn('d:1:2'), 3000);
    now = 6000;
    assert.deepEqual(tracker.who('d:1:2'), []);
    assert.equal(tracker.nextExpiryIn('d:1:2'), null);
    tracker.stopped('g:1', 3);
    assert.deepEqual(tracker.who('g:1'), [4]);
  });
});

describe('UserDirectory', () => {
  it('asks for the ids wanted in one tick in one lookup, batched, and caches them', async () => {
    const calls = [];
    const dir = new UserDirectory({ batchMax: 2, lookup: async (ids) => { calls.push(ids); return ids.filter((id) => id !== 3).map((id) => ({ id, username: `u${id}`, displayName: `User ${id}` })); } });
    await Promise.all([dir.want([1, 2]), dir.want([2, 3]), dir.want(['4'])]);
    assert.deepEqual(calls, [[1, 2], [3, 4]]);
    assert.equal(dir.name(1), 'User 1');
    assert.equal(dir.name(3), 'User #3'); // unknown: remembered, not asked again
    await dir.want([1, 3, 4]);
    assert.equal(calls.length, 2);
  });

  it('falls back to the username, and asks again after a failed lookup', async () => {
    let fail = true;
    const dir = new UserDirectory({ lookup: async (ids) => { if (fail) throw new Error('down'); return ids.map((id) => ({ id, username: 'bob', displayName: '' })); } });
    await assert.rejects(dir.want([7]));
    fail = false;
    await dir.want([7]);
    assert.equal(dir.name(7), 'bob');
  });

  it('calls onChange with the ids looked up (the page re-renders names)', async () => {
    const changes = [];
    const dir = new UserDirectory({ lookup: async (ids) => ids.map((id) => ({ id, username: `u${id}` })), onChange: (ids) => changes.push(ids) });
    dir.name(5); // unknown: shows the id and looks it up
    await dir.want([5]);
    assert.deepEqual(changes, [[5]]);
    assert.equal(dir.name(5), 'u5');
  });
});
