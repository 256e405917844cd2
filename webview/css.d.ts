// Stylesheets imported by main.ts are bundled by esbuild into dist/webview.css.
declare module '*.css';
