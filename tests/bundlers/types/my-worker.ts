// A worker file of the user's own (ES module projects): tsc must resolve 'nmfkit/worker'
// (noUncheckedSideEffectImports).
import 'nmfkit/worker';
