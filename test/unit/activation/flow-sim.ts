/**
 * A fake clock and a recorder around a flow: send events, let time pass (a `tick` at the new
 * time, as the driver's timer would), and read back the state, every effect and the steps seen.
 */
import type { ActivationEffect, Flow } from '../../../src-main/activation';
import type { FlowStateBase } from '../../../src-main/activation/machine';

export class FlowSim<Step extends string, S extends FlowStateBase<Step>, E extends { type: string }> {
  now = 1_700_000_000_000;
  state: S;
  readonly effects: ActivationEffect[] = [];
  last: readonly ActivationEffect[] = [];
  readonly steps: Step[];

  constructor(readonly flow: Flow<Step, S, E>) {
    this.state = flow.initial(this.now);
    this.steps = [this.state.step];
  }

  send(...events: E[]): this {
    for (const event of events) {
      const out = this.flow.transition(this.state, event, this.now);
      this.state = out.state;
      this.last = out.effects;
      this.effects.push(...out.effects);
      if (this.steps[this.steps.length - 1] !== out.state.step) this.steps.push(out.state.step);
    }
    return this;
  }

  wait(ms: number): this {
    this.now += ms;
    return this.send({ type: 'tick' } as E);
  }

  effectTypes(effects: readonly ActivationEffect[] = this.effects): string[] {
    return effects.map((e) => e.type);
  }
}
