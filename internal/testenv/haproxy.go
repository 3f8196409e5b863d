package testenv

import "os/exec"

// HAProxy returns the path of Debian's haproxy, installing the package
// when it is missing, for the deployment benchmark (bench/cmd/replicas),
// which puts replicas of the server behind it.
func HAProxy() (string, error) {
	if err := InstallCommands("haproxy"); err != nil {
		return "", err
	}
	if path, err := exec.LookPath("haproxy"); err == nil {
		return path, nil
	}
	// Debian installs it into /usr/sbin, which a user's PATH may lack.
	return exec.LookPath("/usr/sbin/haproxy")
}
