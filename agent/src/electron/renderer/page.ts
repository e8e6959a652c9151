/**
 * The script of every shell page. It runs sandboxed, with no Node and no Electron: all it has is
 * the DOM and `window.vigil`, the one object the preload exposes. It builds the page with DOM
 * calls and text (never HTML strings), so nothing from the policy or the pupil can become markup.
 */
import type { PageView, VigilBridge } from '../ipc';

// The few DOM features this page uses (the agent's TypeScript program has no DOM library).
interface Node {
  textContent: string | null;
  className: string;
  disabled: boolean;
  value: string;
  maxLength: number;
  type: string;
  append(...children: (Node | string)[]): void;
  replaceChildren(...children: (Node | string)[]): void;
  addEventListener(type: string, listener: () => void): void;
  setAttribute(name: string, value: string): void;
  focus(): void;
}
declare const document: { createElement(tag: string): Node; getElementById(id: string): Node | null };
declare const window: { vigil: VigilBridge };

function el(tag: string, className: string, ...children: (Node | string)[]): Node {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function button(label: string, primary: boolean, onClick: () => void): Node {
  const node = el('button', primary ? 'primary' : '', label);
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

const closeButton = () => button('Close', true, () => window.vigil.close());

function renderReport(root: Node, maxChars: number): void {
  const box = el('textarea', '');
  box.maxLength = maxChars;
  box.setAttribute('aria-label', 'What worried you');
  box.setAttribute('spellcheck', 'true');
  const counter = el('div', 'counter', `0 / ${maxChars.toLocaleString('en-GB')}`);
  const status = el('p', 'status');
  status.setAttribute('role', 'status');
  box.addEventListener('input', () => {
    counter.textContent = `${[...box.value].length.toLocaleString('en-GB')} / ${maxChars.toLocaleString('en-GB')}`;
  });
  const send = button('Send to my school', true, () => {
    send.disabled = true;
    status.className = 'status';
    status.textContent = 'Sending…';
    window.vigil.submitReport(box.value).then(
      (result) => {
        if (result.ok) {
          root.replaceChildren(
            el('h1', '', 'Thank you for telling us'),
            el(
              'p',
              '',
              'Your report has been sent to the people at your school who help keep pupils safe. They will read it.',
            ),
            el('p', '', 'If you are worried right now, talk to a trusted adult, or call Childline free on 0800 1111.'),
            el('div', 'buttons', closeButton()),
          );
          return;
        }
        send.disabled = false;
        status.className = 'status error';
        status.textContent = result.message;
      },
      () => {
        send.disabled = false;
        status.className = 'status error';
        status.textContent = 'Your report could not be sent just now. Please try again, or tell a trusted adult.';
      },
    );
  });
  root.replaceChildren(
    el('h1', '', 'Report a concern'),
    el(
      'p',
      '',
      'Has something online worried or upset you? Tell us about it here. It goes to the people at your school who help keep pupils safe, with a picture of your screen from when you opened this window.',
    ),
    box,
    counter,
    status,
    el(
      'div',
      'buttons',
      button('Cancel', false, () => window.vigil.close()),
      send,
    ),
  );
  box.focus();
}

function render(root: Node, view: PageView): void {
  switch (view.page) {
    case 'report':
      renderReport(root, view.maxChars);
      return;
    case 'privacy':
      root.replaceChildren(
        el('h1', '', view.content.title),
        ...view.content.paragraphs.map((p) => el('p', '', p)),
        el('div', 'buttons', closeButton()),
      );
      return;
    case 'support': {
      const contacts = el('ul', 'contacts');
      for (const c of view.content.contacts)
        contacts.append(el('li', '', el('strong', '', c.name), `${c.how}: ${c.detail}`));
      root.replaceChildren(
        el('h1', '', view.content.title),
        ...view.content.paragraphs.map((p) => el('p', '', p)),
        contacts,
        el('p', '', view.content.closing),
        el('div', 'buttons', closeButton()),
      );
      return;
    }
  }
}

const root = document.getElementById('root');
if (root) {
  window.vigil.view().then(
    (view) => render(root, view),
    () =>
      root.replaceChildren(el('p', 'status error', 'This window could not be shown. Please close it and try again.')),
  );
}
