import { render } from 'preact';
import { App } from './app.tsx';
import { sessionTokenStore } from './token-store.ts';
import './styles.css';

render(<App store={sessionTokenStore(sessionStorage)} />, document.getElementById('app')!);
