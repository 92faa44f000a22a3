// A worker of the page's own: the documented pattern for running nmfkit next to other code.
import 'nmfkit/worker';
