import { outboxContract } from '../test-support/outbox-contract';
import { MemoryOutbox } from './outbox.memory';

outboxContract('memory', () => Promise.resolve(new MemoryOutbox()));
