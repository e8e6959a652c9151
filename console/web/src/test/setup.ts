import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { resetPupilCache } from '../app/pupils';

afterEach(() => {
  cleanup();
  localStorage.clear();
  resetPupilCache();
});
