package bench

import "net/http"

// okStub answers every request with a fresh 200 and no I/O: the floor that
// every RoundTripper case is measured over.
type okStub struct{}

func (okStub) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

func newGet() *http.Request {
	req, err := http.NewRequest(http.MethodGet, "http://backend.test/item", nil)
	if err != nil {
		panic(err)
	}
	return req
}
