// A vendored helper in the manner of jslib's httpx: a class that wraps http.request.
import http from 'k6/http';

export class Httpx {
  constructor(options) {
    this.baseURL = options.baseURL || '';
    this.headers = options.headers || {};
  }
  request(method, url, body, params) {
    return http.request(method, this.baseURL + url, body || null, Object.assign({ headers: this.headers }, params));
  }
  get(url, params) {
    return this.request('GET', url, null, params);
  }
  post(url, body, params) {
    return this.request('POST', url, body, params);
  }
}
