print("git-realm: skeleton")
