/** insomnia-pod CLI entry. */
console.log("insomnia-pod");
