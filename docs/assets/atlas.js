// Open Model Atlas: progressive enhancement (sorting, filters). Pages work without it.
