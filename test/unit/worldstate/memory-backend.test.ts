import { MemoryBackend } from '../../../chaincode/src/worldstate';
import { worldStateBehaviour } from './behaviour.suite';

worldStateBehaviour({
  name: 'MemoryBackend',
  create: () => Promise.resolve(new MemoryBackend()),
  dispose: () => Promise.resolve(),
});
