// The card worker's first moments (see bin/ecps.mjs): bin/ecps.mjs starts this Node process at
// once, so that Node's own start-up (~90 ms here, half of `ecps readers`' floor) overlaps the
// launcher's check that the bundles are up to date. Nothing of ours is loaded before the
// launcher says which worker module to run, once it knows it is current.
process.once('message', (message) => {
  if (message?.type === 'go' && typeof message.entry === 'string') {
    import(message.entry).catch((error) => {
      process.stderr.write(`ecps: ${error?.stack ?? error}\n`);
      process.exit(1);
    });
  }
});
