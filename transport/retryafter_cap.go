package transport

// shareRetryAfterCap makes one setting say how long the stack honours a
// server's Retry-After. Two stages read the header: the retry waits it out
// before its next attempt (Retry.MaxRetryAfter caps it), and the host's
// pushback gate holds every request for it (Limit.MaxPause caps it). With
// different caps, a retry sent after the shorter one meets the gate still
// shut, and is refused without being sent. So the one set is the cap of
// both, and setting both to different values is an error.
func (c *Config) shareRetryAfterCap() error {
	if c.Retry.Off || c.Limit.Off || c.Limit.PushbackOff || c.Limit.Rate != nil {
		return nil // only one stage reads the header (a Rate has its own MaxPause)
	}
	r, p := c.Retry.MaxRetryAfter, c.Limit.MaxPause
	switch {
	case r < 0 || p < 0:
		return nil // refused by the stage's own check, with its path
	case r != 0 && p != 0 && r != p:
		return fieldError("Config.Retry.MaxRetryAfter",
			"is %v and Config.Limit.MaxPause %v: a retry after the shorter would meet the host's pushback gate still shut, and be refused unsent; set one of them, it caps both", r, p)
	case r != 0:
		c.Limit.MaxPause = r
	case p != 0:
		c.Retry.MaxRetryAfter = p
	}
	return nil
}
