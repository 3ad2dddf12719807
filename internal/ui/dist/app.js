// placeholder until the front end's build writes this file
