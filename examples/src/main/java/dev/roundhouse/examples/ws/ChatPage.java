package dev.roundhouse.examples.ws;

/** The chat page: one HTML file with its CSS and the WebSocket browser client. */
final class ChatPage {
    private ChatPage() {
    }

    static final String HTML = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Roundhouse chat</title>
            <style>
              body { font: 15px system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; }
              header { background: #234; color: #fff; padding: .6em 1em; }
              header small { opacity: .7; }
              #log { flex: 1; overflow-y: auto; padding: 1em; list-style: none; margin: 0; }
              #log li { margin: .2em 0; }
              #log .from { font-weight: 600; margin-right: .4em; }
              #log .notice { color: #777; font-style: italic; }
              form { display: flex; gap: .5em; padding: .6em; border-top: 1px solid #ddd; }
              input { font: inherit; padding: .4em; }
              #text { flex: 1; }
            </style>
            </head>
            <body>
            <header>Roundhouse chat <small id="status">connecting…</small></header>
            <ul id="log"></ul>
            <form id="form">
              <input id="name" placeholder="name" size="10">
              <input id="text" placeholder="say something" autocomplete="off" autofocus>
              <button>Send</button>
            </form>
            <script>
            const log = document.getElementById('log');
            const status = document.getElementById('status');
            const nameBox = document.getElementById('name');
            const textBox = document.getElementById('text');
            nameBox.value = localStorage.getItem('roundhouse-chat-name') || ('guest' + Math.floor(Math.random() * 1000));
            let ws;
            function add(from, text) {
              const li = document.createElement('li');
              if (from === '*') {
                li.className = 'notice';
                li.textContent = text;
              } else {
                const who = document.createElement('span');
                who.className = 'from';
                who.textContent = from + ':';
                li.append(who, document.createTextNode(text));
              }
              log.append(li);
              log.scrollTop = log.scrollHeight;
            }
            function connect() {
              localStorage.setItem('roundhouse-chat-name', nameBox.value);
              ws = new WebSocket(`ws://${location.host}/chat?name=${encodeURIComponent(nameBox.value)}`);
              ws.onopen = () => { status.textContent = 'connected' + (ws.extensions ? ' (' + ws.extensions + ')' : ''); };
              ws.onmessage = (e) => { const m = JSON.parse(e.data); add(m.from, m.text); };
              ws.onclose = (e) => { status.textContent = 'disconnected (' + e.code + '); reconnecting…'; setTimeout(connect, 2000); };
            }
            nameBox.addEventListener('change', () => ws.close(1000, 'renamed'));
            document.getElementById('form').addEventListener('submit', (e) => {
              e.preventDefault();
              if (textBox.value.trim() && ws.readyState === WebSocket.OPEN) ws.send(textBox.value);
              textBox.value = '';
            });
            connect();
            </script>
            </body>
            </html>
            """;
}
