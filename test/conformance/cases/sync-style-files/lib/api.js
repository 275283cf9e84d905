// A default-exported object whose methods block.
import { sleep } from 'k6';
import { get } from 'k6/http';

export default {
  pause() {
    sleep(0.01);
  },
  ping: (base) => get(`${base}/status/204`).status,
};
