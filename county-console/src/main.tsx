import '@vj/client/jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ConsoleController } from './console-controller';
import './styles.css';

const controller = new ConsoleController();
void controller.resume();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App controller={controller} />
  </StrictMode>,
);
