// Command hello is the small module the README's first command builds through progcache.
package main

import "fmt"

func main() {
	fmt.Println("hello from a build cached by progcache")
}
