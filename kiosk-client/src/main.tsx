import '@vj/client/jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { captureCredentialFromUrl } from './credential';
import { KioskController } from './kiosk-controller';
import './styles.css';

captureCredentialFromUrl();
const controller = new KioskController();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App controller={controller} />
  </StrictMode>,
);
void controller.start();

// The offline shell (public/sw.js): a reload during an outage shows the kiosk's own trouble screen.
if ('serviceWorker' in navigator) void navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch(() => undefined);
