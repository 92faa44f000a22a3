// `nmfkit/worker`: the script a Worker runs (started by createWorker() from 'nmfkit').
// It has no exports; importing it in a Worker makes that Worker serve createWorker().
export {};
