// Stylesheets are bundled by Vite; to TypeScript they are side-effect-only modules.
declare module '*.css';
