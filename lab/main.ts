// Entry of the browser lab; the code lives in src/web.
import '../src/web/main.ts';
