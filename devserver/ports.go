package devserver

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
)

// freePort asks the OS for a port that is free on ip.
//
// On Linux the OS may hand a just-released port out again at once. To make
// that unlikely, the port is left in TIME_WAIT by closing an accepted
// connection from the listening side: bind(:0) skips such ports for a while,
// but the server can still bind it explicitly (Go sets SO_REUSEADDR).
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port on %s: %w", ip, err)
	}
	defer l.Close()
	addr := l.Addr().(*net.TCPAddr)

	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		c, err := net.DialTCP("tcp", nil, addr)
		if err != nil {
			return 0, fmt.Errorf("finding a free port on %s: %w", ip, err)
		}
		defer c.Close()
		s, err := l.Accept()
		if err != nil {
			return 0, fmt.Errorf("finding a free port on %s: %w", ip, err)
		}
		_ = s.Close()
	}
	return addr.Port, nil
}

// checkPortFree reports an error when nothing can listen on ip:port.
func checkPortFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d is in use: is another hrsync dev mode running? (%w)", port, err)
	}
	return l.Close()
}
