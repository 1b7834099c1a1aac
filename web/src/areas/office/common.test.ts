import { describe, expect, it } from 'vitest';
import { fullAppState } from './common';

describe('fullAppState', () => {
  it('gives results’ short state names their enum prefix', () => {
    expect(fullAppState('SCORED')).toBe('APPLICATION_STATE_SCORED');
    expect(fullAppState('APPLICATION_STATE_VETOED')).toBe('APPLICATION_STATE_VETOED');
    expect(fullAppState(undefined)).toBe('');
  });
});
