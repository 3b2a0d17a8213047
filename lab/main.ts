// Entry of the browser lab; the code lives in lab/src.
import './src/main.ts';
