import { appConfig } from '../scripts/vite-app';

export default appConfig('/kiosk/');
