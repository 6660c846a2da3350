import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, createQueryClient } from './app/app.js';
import { initTheme } from './app/theme.js';
import './styles.css';

// Before the first render, so the page never flashes in the wrong theme.
initTheme();

// Shows pushed pages and acts on their Acknowledge/Resolve buttons (public/sw.js); push itself is
// enabled per device under Settings → Contact methods.
if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('Firebreak could not register its service worker', error));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App queryClient={createQueryClient()} />
  </StrictMode>,
);
