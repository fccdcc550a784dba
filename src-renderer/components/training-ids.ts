/**
 * Demo / training only: national identifiers of the sandbox directory
 * (simulators/authority/directory.json) a trainee can type to see each way the activation
 * without the card goes (issue 12 item 6). A unit test checks each one against the directory.
 */
export const TRAINING_IDS = [
  { value: '997 0000 0054', outcome: 'onFile' },
  { value: '997 0000 0039', outcome: 'noContact' },
  { value: '990000010', outcome: 'adeli' },
] as const;
