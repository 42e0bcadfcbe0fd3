// DOM building for the chat page: every function here reads the page's state and replaces one part of the page.
// Text always goes in as text nodes (never innerHTML), so message bodies and names cannot inject markup.
import { dayLabel, withDaySeparators } from '/parley-client.js';

export const $ = (id) => document.getElementById(id);

/** An element: attributes (`on*` become listeners, `data`/`class` as usual), then children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.flat().filter((c) => c != null && c !== false));
  return node;
}

const time = (ts) => new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const shortWhen = (ts) => (new Date(ts).toDateString() === new Date().toDateString()
  ? time(ts) : new Date(ts).toLocaleDateString([], { day: 'numeric', month: 'short' }));

let toastTimer;
/** A readable notice at the bottom: errors (data-kind=error, data-code) stay 8 s, information 4 s. */
export function toast(text, { code = '', kind = 'error' } = {}) {
  const t = $('toast');
  t.textContent = text;
  t.dataset.code = code;
  t.dataset.kind = kind;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 8000 : 4000);
}

// ---- connection state ---------------------------------------------------------------------------------

export function renderConnection(state, text) {
  $('conn').dataset.state = state;
  $('conn-text').textContent = text;
}

// ---- the list screen -----------------------------------------------------------------------------------

export function presenceDot(status, extra = {}) {
  const label = status === 'online' ? 'online' : status === 'pending' ? 'has not added you back' : 'offline';
  return el('span', { class: 'presence', 'data-testid': 'presence-dot', 'data-presence': status || 'offline', title: label, ...extra });
}

/** `You: hi`, `Bob: hi` in groups, `message deleted`, … — what the conversation list shows under a title. */
export function previewOf(page, conversation) {
  const last = page.timelines.get(conversation.id)?.last();
  if (!last) return conversation.type === 'group' ? 'No messages yet in this group' : 'No messages yet';
  const who = last.from === page.me.id ? 'You: ' : conversation.type === 'group' ? `${page.directory.name(last.from)}: ` : '';
  const text = last.deleted ? 'message deleted' : (last.body ?? '').replace(/\s+/g, ' ');
  return `${who}${text}`;
}

export function renderConversations(page, open) {
  const list = [...page.conversations.values()].sort((x, y) => (y.lastActivity ?? 0) - (x.lastActivity ?? 0) || x.id.localeCompare(y.id));
  const ul = $('conversations');
  ul.replaceChildren(...list.map((c) => el('li', {
    class: c.id === page.current?.id ? 'active' : '', 'data-testid': 'conversation-item', 'data-conversation': c.id,
    'data-unread': String(c.unread ?? 0), tabindex: '0', onclick: () => open(c.id),
    onkeydown: (e) => { if (e.key === 'Enter') open(c.id); },
  },
  el('span', { class: 'title', 'data-testid': 'conversation-title' }, page.titleOf(c.id)),
  el('span', { class: 'when' }, c.lastActivity ? shortWhen(c.lastActivity) : ''),
  el('span', { class: 'preview', 'data-testid': 'conversation-preview' }, previewOf(page, c)),
  c.unread ? el('span', { class: 'badge', 'data-testid': 'conversation-unread', 'data-count': String(c.unread) }, String(c.unread)) : null)));
  if (!list.length) ul.append(el('li', { class: 'empty' }, 'No chats yet — find someone by their username above.'));
}

export function renderContacts(page, open) {
  const list = [...page.contacts.values()].sort((a, b) => page.directory.name(a.user).localeCompare(page.directory.name(b.user)));
  const ul = $('contacts');
  ul.replaceChildren(...list.map((c) => {
    const user = page.directory.get(c.user);
    const status = c.status === 'pending' || !c.mutual ? 'pending' : c.status;
    return el('li', { 'data-testid': 'contact-item', 'data-user-id': String(c.user), 'data-username': user?.username ?? '',
                      tabindex: '0', onclick: () => open(c.user), onkeydown: (e) => { if (e.key === 'Enter') open(c.user); } },
      presenceDot(status),
      el('span', { class: 'title' }, page.directory.name(c.user)),
      el('span', { class: 'sub' }, status === 'online' ? 'online' : status === 'pending' ? 'invited — not added you yet'
        : c.lastSeen ? `last seen ${shortWhen(c.lastSeen)}` : 'offline'));
  }));
  if (!list.length) ul.append(el('li', { class: 'empty' }, 'No contacts yet. Add someone by username: you see each other online once both have added each other.'));
}

// ---- the conversation screen ---------------------------------------------------------------------------

export function renderRoomHeader(page) {
  const room = page.current;
  const cid = room.id;
  $('room').dataset.conversation = cid;
  $('room-title').textContent = page.titleOf(cid);
  const dot = $('room-presence');
  if (cid.startsWith('g:')) {
    const group = page.groups.get(cid.slice(2));
    $('room-sub').textContent = group ? `${group.memberCount ?? group.members?.length} members` : 'group';
    dot.hidden = true;
    $('members-toggle').hidden = false;
    $('members').replaceChildren(...(group?.members ?? []).map((id) => el('li', { 'data-testid': 'group-member', 'data-user-id': String(id) },
      page.directory.name(id), id === page.me.id ? ' (you)' : '', String(id) === String(group.owner) ? el('span', { class: 'sub' }, ' · owner') : null)));
  } else {
    const peer = page.peerOf(cid);
    const contact = page.contacts.get(peer);
    const status = !contact ? null : contact.status === 'pending' || !contact.mutual ? 'pending' : contact.status;
    dot.hidden = !status;
    if (status) { dot.dataset.presence = status; dot.title = status; }
    $('room-sub').textContent = peer === page.me.id ? 'notes to yourself'
      : status === 'online' ? 'online' : status === 'offline' ? (contact.lastSeen ? `last seen ${shortWhen(contact.lastSeen)}` : 'offline')
        : status === 'pending' ? 'has not added you as a contact yet' : `@${page.directory.get(peer)?.username ?? peer} · not in your contacts`;
    $('members-toggle').hidden = true;
    $('members').hidden = true;
  }
}

function statusView(page, timeline, m) {
  const status = timeline.statusOf(m);
  const readers = status === 'read' ? timeline.readersOf(m) : [];
  const group = m.conversation.startsWith('g:');
  const text = { pending: '🕓', failed: '⚠ not sent', sent: '✓', read: group ? `✓✓ Read by ${readers.length}` : '✓✓ Read' }[status];
  const title = { pending: 'sending…', failed: `not sent: ${m.failed}`, sent: 'stored on the server (not read yet)',
                  read: `read by ${readers.map((u) => page.directory.name(u)).join(', ')}` }[status];
  return el('span', { class: `status ${status}`, 'data-testid': 'message-status', 'data-status': status, title }, text);
}

function messageView(page, timeline, m, actions) {
  const mine = m.from === page.me.id;
  const group = m.conversation.startsWith('g:');
  const confirming = page.confirmDelete === m.id;
  const canChange = mine && !m.deleted && !m.pending && !m.failed && Number.isSafeInteger(m.seq);
  return el('div', {
    class: ['msg', mine && 'mine', m.failed && 'failed', m.deleted && 'deleted', page.editing?.id === m.id && 'editing'].filter(Boolean).join(' '),
    'data-testid': 'message', 'data-id': m.id, 'data-seq': m.seq != null ? String(m.seq) : '', 'data-from': String(m.from),
    'data-mine': String(mine), 'data-edited': m.edited ? 'true' : null, 'data-deleted': m.deleted ? 'true' : null,
  },
  group && !mine ? el('div', { class: 'sender', 'data-testid': 'message-sender' }, page.directory.name(m.from)) : null,
  el('div', { class: 'bubble', 'data-testid': 'message-body' }, m.deleted ? 'message deleted' : m.body),
  el('div', { class: 'meta' },
    el('span', { 'data-testid': 'message-time', title: m.ts ? new Date(m.ts).toLocaleString() : '' }, m.ts ? time(m.ts) : ''),
    m.edited && !m.deleted ? el('span', { class: 'edited', 'data-testid': 'message-edited' }, 'edited') : null,
    mine && !m.deleted ? statusView(page, timeline, m) : null,
    canChange ? el('span', { class: 'actions' },
      el('button', { type: 'button', class: 'link', 'data-testid': 'message-edit', title: 'Edit', onclick: () => actions.edit(m) }, 'Edit'),
      confirming
        ? el('button', { type: 'button', class: 'link danger', 'data-testid': 'message-delete-confirm', onclick: () => actions.confirmDelete(m) }, 'Delete for everyone?')
        : el('button', { type: 'button', class: 'link', 'data-testid': 'message-delete', title: 'Delete', onclick: () => actions.delete(m) }, 'Delete'))
      : null,
    m.failed ? el('button', { type: 'button', class: 'link', 'data-testid': 'message-retry', onclick: () => actions.retry(m) }, 'Retry') : null));
}

export function renderMessages(page, actions, { toBottom = false } = {}) {
  const room = page.current;
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const fromBottom = box.scrollHeight - box.scrollTop;
  const timeline = page.timelines.get(room.id);
  const items = withDaySeparators(timeline ? timeline.list() : []);
  const nodes = items.map((item) => (item.separator
    ? el('div', { class: 'day', 'data-testid': 'date-separator', 'data-date': item.separator }, el('span', {}, dayLabel(item.ts)))
    : messageView(page, timeline, item, actions)));
  if (room.loading) nodes.unshift(el('div', { class: 'note' }, 'loading…'));
  else if (room.exhausted && items.length) nodes.unshift(el('div', { class: 'note' }, 'beginning of the conversation'));
  if (!items.length && !room.loading) nodes.push(el('div', { class: 'note' }, 'No messages yet — say hello.'));
  box.replaceChildren(...nodes);
  if (toBottom || atBottom) box.scrollTop = box.scrollHeight;
  else box.scrollTop = box.scrollHeight - fromBottom; // older messages came in above: keep the reader's place
}

export function renderTyping(page) {
  const box = $('typing');
  const users = page.current ? page.typing.who(page.current.id) : [];
  box.dataset.users = users.join(',');
  const names = users.map((u) => page.directory.name(u));
  box.textContent = !names.length ? '' : names.length === 1 ? `${names[0]} is typing…`
    : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : `${names.length} people are typing…`;
}
