// The experts panel's entry point in the webview.
import './styles/panel.css';
import { registerKit } from './ui-kit/register';
import { mountApp } from './views/app';

registerKit();
mountApp(document.getElementById('app') ?? document.body, acquireVsCodeApi());
